/**
 * Scenario 3 (the sandbox itself): requests per second of `customers.create` with `tok_visa` and of
 * `paymentIntents.create` with `confirm` on a fresh sandbox process, and of the same
 * `customers.create` on stripe-stateful-mock 0.0.16, with the same load generator and settings.
 * The requests are the ones the SDK sends: form-encoded, with a key, a Stripe-Version and a fresh
 * Idempotency-Key each.
 */
import { STRIPE_API_VERSION } from '../../src/stripe/client.ts';
import { withCpu } from '../cpu.ts';
import type { LoadGenerator } from '../load/client.ts';
import type { LoadJob, LoadResult } from '../load/jobs.ts';
import {
  BENCH_STRIPE_KEY,
  type ProcessGroup,
  startSandboxProcess,
  startStatefulMock,
} from '../processes.ts';
import { stripeAt } from '../sandbox-control.ts';
import { createCardCustomer } from '../seed.ts';
import { ratio, round } from '../stats.ts';

export interface SandboxScenarioOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
  log: (line: string) => void;
}

/** A run with how busy the server and the load generator were (CPU ms per wall-clock ms). */
export interface ServerRun extends LoadResult {
  serverCpuMsPerRequest: number;
  serverBusy: number;
  loadGeneratorBusy: number;
}

export interface SandboxResults {
  customersCreate: ServerRun;
  paymentIntentsCreate: ServerRun;
  statefulMockCustomersCreate: ServerRun;
  /** Our customers.create rate over stripe-stateful-mock's. */
  vsStatefulMock: number;
  /** Their server CPU per customers.create over ours: the same comparison, free of the generator. */
  vsStatefulMockCpu: number;
}

const HEADERS = {
  authorization: `Bearer ${BENCH_STRIPE_KEY}`,
  'content-type': 'application/x-www-form-urlencoded',
  'stripe-version': STRIPE_API_VERSION,
};

function formJob(url: string, path: string, form: Record<string, string>, durationSec: number) {
  const job: Omit<LoadJob, 'kind' | 'connections'> = {
    url,
    method: 'POST',
    path,
    headers: HEADERS,
    body: new URLSearchParams(form).toString(),
    uniqueHeader: 'idempotency-key',
    durationSec,
  };
  return job;
}

/** Starts both servers, measures, and stops them again whatever happens. */
export async function runSandboxScenario(
  load: LoadGenerator,
  group: ProcessGroup,
  options: SandboxScenarioOptions,
): Promise<SandboxResults> {
  const sandbox = await startSandboxProcess(group);
  const mock = await startStatefulMock(group);
  try {
    const { connections, durationSec, warmupSec } = options;
    const customer = await createCardCustomer(stripeAt(sandbox.url), 'bench@example.com');
    const customerForm = { email: 'bench@example.com', source: 'tok_visa' };
    const ours = formJob(sandbox.url, '/v1/customers', customerForm, durationSec);
    const theirs = formJob(mock.url, '/v1/customers', customerForm, durationSec);
    const intents = formJob(
      sandbox.url,
      '/v1/payment_intents',
      {
        amount: '2000',
        currency: 'usd',
        customer: customer.id,
        payment_method: customer.paymentMethodId,
        confirm: 'true',
        off_session: 'true',
        capture_method: 'automatic',
        'allowed_payment_method_types[0]': 'card',
      },
      durationSec,
    );

    for (const job of [ours, theirs, intents]) {
      await load.load({ ...job, connections, durationSec: warmupSec });
    }
    const measure = async (job: typeof ours, server: number | undefined): Promise<ServerRun> => {
      const pids = { server, loadGenerator: load.pid };
      const { result, cpuMs } = await withCpu(pids, () => load.load({ ...job, connections }));
      const wallMs = result.durationSec * 1000;
      return {
        ...result,
        serverCpuMsPerRequest: round(ratio(cpuMs.server ?? Number.NaN, result.ok), 4),
        serverBusy: round(ratio(cpuMs.server ?? Number.NaN, wallMs), 2),
        loadGeneratorBusy: round(ratio(cpuMs.loadGenerator ?? Number.NaN, wallMs), 2),
      };
    };
    const customersCreate = await measure(ours, sandbox.child.pid);
    const statefulMockCustomersCreate = await measure(theirs, mock.child.pid);
    const paymentIntentsCreate = await measure(intents, sandbox.child.pid);

    const vsStatefulMock = round(customersCreate.rps / statefulMockCustomersCreate.rps, 2);
    const vsStatefulMockCpu = round(
      ratio(
        statefulMockCustomersCreate.serverCpuMsPerRequest,
        customersCreate.serverCpuMsPerRequest,
      ),
      2,
    );
    options.log(
      `  sandbox customers.create ${customersCreate.rps} req/s, stripe-stateful-mock ` +
        `${statefulMockCustomersCreate.rps} req/s (x${vsStatefulMock}; server CPU per request ` +
        `x${vsStatefulMockCpu}); paymentIntents.create+confirm ${paymentIntentsCreate.rps} req/s`,
    );
    return {
      customersCreate,
      paymentIntentsCreate,
      statefulMockCustomersCreate,
      vsStatefulMock,
      vsStatefulMockCpu,
    };
  } finally {
    await group.stop(mock);
    await group.stop(sandbox);
  }
}
