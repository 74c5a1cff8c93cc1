import { type ChargeCreated, type ChargeInput, chargeCustomer } from './charge.ts';
import type { PaymentsDeps } from './deps.ts';
import { type History, type HistoryInput, paymentHistory } from './history.ts';
import type { Answer } from './idempotency.ts';
import { callerScopedKey } from './keys.ts';
import {
  type CustomerCreated,
  type RegisterCustomerInput,
  registerCustomer,
} from './register-customer.ts';
import { type SweepReport, sweep } from './sweeper.ts';

/** Who sends a request: the label of its API key; null or absent with open access. */
export interface Caller {
  caller?: string | null;
}

/** The domain as the HTTP layer sees it. */
export interface PaymentsService {
  registerCustomer(input: RegisterCustomerInput & Caller): Promise<Answer<CustomerCreated>>;
  charge(input: ChargeInput & Caller): Promise<Answer<ChargeCreated>>;
  history(input: HistoryInput): Promise<History>;
  /** One sweeper run (the interval lives in `startSweeper`). */
  sweep(): Promise<SweepReport>;
}

/** Binds the services to their dependencies. */
export function createPaymentsService(deps: PaymentsDeps): PaymentsService {
  return {
    registerCustomer: (input) => registerCustomer(deps, scoped(input)),
    charge: (input) => chargeCustomer(deps, scoped(input)),
    history: (input) => paymentHistory(deps, input),
    sweep: () => sweep(deps),
  };
}

/** The input with its Idempotency-Key namespaced by the caller (see `callerScopedKey`). */
function scoped<T extends { idempotencyKey: string | null }>(input: T & Caller): T {
  return { ...input, idempotencyKey: callerScopedKey(input.caller ?? null, input.idempotencyKey) };
}
