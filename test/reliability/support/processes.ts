import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { type ApiProcess, freePort, startApiProcess } from '../../../scripts/api-process.ts';
import type { FaultOptions, LatencyOptions } from '../../../src/sandbox/index.ts';
import {
  configureSandbox,
  type SandboxStats,
  sandboxStats,
  sdkFor,
  TEST_KEY,
} from '../../support/sandbox.ts';
import type { LogCollector } from './logs.ts';

/**
 * The processes of a scenario, started the way an operator would: `node --import tsx` on the
 * entry points (not the `tsx` launcher, which runs the program in a second process that a SIGKILL
 * of the first would leave behind).
 */

export const REPO_ROOT = join(import.meta.dirname, '../../..');

/** The Stripe key the API calls the sandbox with; also one of the secrets its logs must not hold. */
export const STRIPE_KEY = TEST_KEY;

/** The label of the scenarios' API key: it namespaces their Idempotency-Keys in the API. */
export const API_KEY_LABEL = 'reliability';

/** A fresh API key, in the shape the deployment test uses. */
export function newApiKey(): string {
  return randomBytes(16).toString('hex');
}

/** Only what the programs need from this shell: no DATABASE_URL or Stripe key leaks in. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export interface SandboxProcess {
  url: string;
  host: string;
  port: number;
  /** An SDK client talking to the sandbox directly, to read its records. */
  stripe: Stripe;
  stats(): Promise<SandboxStats>;
  configure(config: { latency?: LatencyOptions; faults?: FaultOptions }): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `src/sandbox/main.ts` on a free port, state in memory, and waits for it. */
export async function startSandboxProcess(): Promise<SandboxProcess> {
  const port = await freePort();
  const host = '127.0.0.1';
  const proc = await startApiProcess({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/sandbox/main.ts'],
    cwd: REPO_ROOT,
    env: { ...baseEnv(), SANDBOX_HOST: host, SANDBOX_PORT: String(port) },
    host,
    port,
    readyPath: '/_sandbox/stats',
  });
  const where = { url: proc.url };
  return {
    url: proc.url,
    host,
    port,
    // The SDK's own timeout (80 s) is far longer than any read here takes.
    stripe: sdkFor({ host, port }),
    stats: () => sandboxStats(where),
    configure: (config) => configureSandbox(where, config),
    stop: async () => {
      await proc.stop();
    },
  };
}

export interface ApiSettings {
  /** Where the API sends its Stripe calls: the sandbox, or a proxy in front of it. */
  stripeBase: string;
  /** The SQLite ledger and nothing else; ignored by the ledger when `databaseUrl` is set. */
  dataDir: string;
  databaseUrl?: string;
  apiKey: string;
  stripeTimeoutMs: number;
  stripeMaxNetworkRetries: number;
  sweepIntervalMs: number;
  pendingAttemptGraceMs: number;
}

/** The API's configuration as environment variables, logging at info. */
export function apiEnv(settings: ApiSettings, port: number): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    HOST: '127.0.0.1',
    PORT: String(port),
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: settings.stripeBase,
    DATA_DIR: settings.dataDir,
    ...(settings.databaseUrl === undefined ? {} : { DATABASE_URL: settings.databaseUrl }),
    API_KEYS: `${API_KEY_LABEL}:${settings.apiKey}`,
    // The scenarios test payments, not the rate limit: thousands of requests a minute are fine.
    RATE_LIMIT_MAX: '1000000',
    LOG_LEVEL: 'info',
    STRIPE_TIMEOUT_MS: String(settings.stripeTimeoutMs),
    STRIPE_MAX_NETWORK_RETRIES: String(settings.stripeMaxNetworkRetries),
    SWEEP_INTERVAL_MS: String(settings.sweepIntervalMs),
    PENDING_ATTEMPT_GRACE_MS: String(settings.pendingAttemptGraceMs),
  };
}

/** One API process that can be killed and started again on the same port and data. */
export class ApiInstance {
  readonly url: string;
  readonly #settings: ApiSettings;
  readonly #port: number;
  readonly #logs: LogCollector;
  readonly #label: string;
  #process: ApiProcess | null = null;
  /** How many times the process was started. */
  starts = 0;

  private constructor(settings: ApiSettings, port: number, logs: LogCollector, label: string) {
    this.#settings = settings;
    this.#port = port;
    this.#logs = logs;
    this.#label = label;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts `src/main.ts` on a free port; its whole output goes to `logs`. */
  static async start(settings: ApiSettings, logs: LogCollector, label: string) {
    const instance = new ApiInstance(settings, await freePort(), logs, label);
    await instance.restart();
    return instance;
  }

  /** Starts the process (again), with the same port, data and settings. */
  async restart(): Promise<void> {
    const child = this.#process?.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      throw new Error(`${this.#label} is still running`);
    }
    const proc = await startApiProcess({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/main.ts'],
      cwd: REPO_ROOT,
      env: apiEnv(this.#settings, this.#port),
      host: '127.0.0.1',
      port: this.#port,
    });
    this.#logs.attach(proc, this.#label);
    this.#process = proc;
    this.starts += 1;
  }

  /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    const child = this.#process?.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM, waiting for a clean exit. */
  async stop(): Promise<void> {
    await this.#process?.stop();
  }
}
