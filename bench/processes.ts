/**
 * The servers a bench run needs, each as its own child process (the API, the sandbox, the bare
 * baseline, stripe-stateful-mock), started through scripts/api-process.ts and tracked in one
 * group so that every one of them is stopped when the run ends, fails or is interrupted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiProcess, freePort, startApiProcess } from '../scripts/api-process.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const HOST = '127.0.0.1';

/** The key every Stripe-compatible server of the bench is called with. */
export const BENCH_STRIPE_KEY = 'sk_test_sandbox';
/** The API key the bench's API accepts (API_KEYS is `label:secret`); fake, like the rest. */
export const BENCH_API_KEY = 'bench_fake_api_key';
/** The headers every request to the API (and, for equal request sizes, the baseline) carries. */
export const API_HEADERS = {
  'content-type': 'application/json',
  authorization: `Bearer ${BENCH_API_KEY}`,
};
/**
 * The rate limit's ceiling (the highest RATE_LIMIT_MAX allowed): far above what a run sends, so
 * that it never throttles the load while its bookkeeping still runs on every request.
 */
const RATE_LIMIT_MAX = 1_000_000;

/** The children of one run; `stopAll` ends every one still running. */
export class ProcessGroup {
  readonly #running = new Map<ApiProcess, string>();
  readonly #tempDirs = new Set<string>();

  /**
   * Starts a child on a free port and tracks it until `stop` or `stopAll`. `env` is given the
   * port, as servers read it from variables of different names.
   */
  async start(
    name: string,
    [command, args]: Command,
    env: (port: number) => NodeJS.ProcessEnv,
  ): Promise<ApiProcess> {
    const port = await freePort(HOST);
    const child = await startApiProcess({
      command,
      args,
      cwd: ROOT,
      // Only what the child needs: nothing from the caller's environment (DATABASE_URL, keys...).
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env(port) },
      host: HOST,
      port,
      // Any HTTP answer means the server is up: not every one of them has a 200 route.
      startTimeoutMs: 90_000,
    }).catch((error: unknown) => {
      throw new Error(`${name} did not start`, { cause: error });
    });
    this.#running.set(child, name);
    return child;
  }

  /** A fresh temporary directory, removed by `stopAll`. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.#tempDirs.add(dir);
    return dir;
  }

  async stop(child: ApiProcess): Promise<void> {
    if (!this.#running.delete(child)) return;
    await child.stop(5_000);
  }

  /** Stops every tracked child (SIGTERM, SIGKILL after 5 s) and removes the temp directories. */
  async stopAll(): Promise<void> {
    const children = [...this.#running.keys()];
    this.#running.clear();
    await Promise.allSettled(children.map((child) => child.stop(5_000)));
    const dirs = [...this.#tempDirs];
    this.#tempDirs.clear();
    await Promise.allSettled(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }

  /** Last resort on process exit, where nothing asynchronous runs any more. */
  killAllNow(): void {
    for (const child of this.#running.keys()) child.child.kill('SIGKILL');
    this.#running.clear();
  }
}

type Command = [command: string, args: string[]];

/** Node with tsx as loader: how `npm start` and `npm run sandbox` run their TypeScript. */
function tsx(file: string): Command {
  return [process.execPath, ['--import', 'tsx', file]];
}

/** `tsx src/sandbox/main.ts` on a free port, state in memory, no added latency. */
export async function startSandboxProcess(group: ProcessGroup): Promise<ApiProcess> {
  return group.start('the sandbox', tsx('src/sandbox/main.ts'), (port) => ({
    SANDBOX_HOST: HOST,
    SANDBOX_PORT: String(port),
  }));
}

/**
 * `tsx src/main.ts` against the sandbox at `stripeBase`, as in production: NODE_ENV=production,
 * API keys on, LOG_LEVEL=warn, the SQLite ledger (in a fresh directory), the rate limit raised
 * out of the way; everything else at its default.
 */
export async function startApi(group: ProcessGroup, stripeBase: string): Promise<ApiProcess> {
  const dataDir = await group.tempDir('bench-api-');
  return group.start('the API', tsx('src/main.ts'), (port) => ({
    HOST,
    PORT: String(port),
    STRIPE_SECRET_KEY: BENCH_STRIPE_KEY,
    STRIPE_API_BASE: stripeBase,
    NODE_ENV: 'production',
    API_KEYS: `bench:${BENCH_API_KEY}`,
    RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
  }));
}

/** bench/bare-server.ts: the baseline charge route and the naive history, nothing else. */
export async function startBareServer(
  group: ProcessGroup,
  stripeBase: string,
): Promise<ApiProcess> {
  return group.start('the bare baseline', tsx('bench/bare-server.ts'), (port) => ({
    HOST,
    PORT: String(port),
    STRIPE_SECRET_KEY: BENCH_STRIPE_KEY,
    STRIPE_API_BASE: stripeBase,
  }));
}

/** stripe-stateful-mock's own start script (dist/cli.js), which reads PORT and LOG_LEVEL. */
export async function startStatefulMock(group: ProcessGroup): Promise<ApiProcess> {
  const cli = join(ROOT, 'node_modules/stripe-stateful-mock/dist/cli.js');
  // It logs every request at info: warn keeps its console as quiet as the sandbox's.
  return group.start('stripe-stateful-mock', [process.execPath, [cli]], (port) => ({
    PORT: String(port),
    LOG_LEVEL: 'warn',
  }));
}
