import { type ChargeCreated, type ChargeInput, chargeCustomer } from './charge.ts';
import type { PaymentsDeps } from './deps.ts';
import { type History, type HistoryInput, paymentHistory } from './history.ts';
import type { Answer } from './idempotency.ts';
import {
  type CustomerCreated,
  type RegisterCustomerInput,
  registerCustomer,
} from './register-customer.ts';
import { type SweepReport, sweep } from './sweeper.ts';

/** The domain as the HTTP layer sees it. */
export interface PaymentsService {
  registerCustomer(input: RegisterCustomerInput): Promise<Answer<CustomerCreated>>;
  charge(input: ChargeInput): Promise<Answer<ChargeCreated>>;
  history(input: HistoryInput): Promise<History>;
  /** One sweeper run (the interval lives in `startSweeper`). */
  sweep(): Promise<SweepReport>;
}

/** Binds the services to their dependencies. */
export function createPaymentsService(deps: PaymentsDeps): PaymentsService {
  return {
    registerCustomer: (input) => registerCustomer(deps, input),
    charge: (input) => chargeCustomer(deps, input),
    history: (input) => paymentHistory(deps, input),
    sweep: () => sweep(deps),
  };
}
