/**
 * Runs the API as a child process the way an operator would (`tsx src/main.ts`, or `node
 * dist/main.js` from a build), waits until it answers, and stops it with SIGTERM. Used by
 * `npm run test:postman`, the browser test, the deployment test and the benchmarks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** Keep the end of the output only: it is printed when something fails, to show why. */
const OUTPUT_LIMIT = 64 * 1024;

export interface ApiProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  /** The child's whole environment; pass the variables the service reads. */
  env: NodeJS.ProcessEnv;
  /** Where the service listens: must match HOST and PORT in `env`. */
  host: string;
  port: number;
  /** Ready when this path answers 200; without it, when any HTTP answer comes back. */
  readyPath?: string;
  /** Default 60 s: a cold tsx start on a busy machine takes several seconds. */
  startTimeoutMs?: number;
}

export interface ApiProcess {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  child: ChildProcess;
  /** What the process wrote to stdout and stderr so far (the last 64 KiB). */
  output(): string;
  /**
   * Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). Resolves with the exit code,
   * or null when a signal ended the process.
   */
  stop(graceMs?: number): Promise<number | null>;
}

/** A port that was free a moment ago, for services that cannot report the one they bound. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port was bound');
  return address.port;
}

/**
 * Starts the process and resolves once it is ready.
 *
 * @throws Error with the process's output when it exits or is not ready in time.
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit');

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${options.port}`;
  const api: ApiProcess = {
    url,
    child,
    output: () => output,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return child.exitCode;
    },
  };

  const path = options.readyPath ?? '/';
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let last = await probe(url, path);
  while (!(options.readyPath === undefined ? typeof last === 'number' : last === 200)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the API exited before it was ready; its output:\n${tail(output)}`);
    }
    if (Date.now() > deadline) {
      await api.stop();
      throw new Error(
        `the API was not ready in time (last answer to GET ${path}: ${last}); its output:\n` +
          tail(output),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe(url, path);
  }
  return api;
}

/** The status `path` answers with, or why there was no answer. */
async function probe(url: string, path: string): Promise<number | string> {
  try {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    // Not listening yet (connection refused) or too slow to answer: the caller tries again.
    if (!(error instanceof Error)) return String(error);
    return error.cause instanceof Error ? error.cause.message : error.message;
  }
}

/** The last lines of the output, enough to see why a start failed. */
function tail(output: string): string {
  return output.split('\n').slice(-30).join('\n');
}

export interface LocalApiOptions {
  /** The repository's root: where `src/main.ts` is. */
  root: string;
  /** DATA_DIR: the embedded sandbox's state and the SQLite ledger go there. */
  dataDir: string;
  /** API_KEYS, `label:secret,...`. */
  apiKeys: string;
  host?: string;
  readyPath?: string;
}

/**
 * `src/main.ts` on a free port as a newcomer runs it: the embedded sandbox and a SQLite ledger,
 * both in `dataDir`, so the run touches nothing outside it. Empty values count as unset, which
 * keeps the caller's Stripe key, database and NODE_ENV from leaking in.
 */
export async function startLocalApi(options: LocalApiOptions): Promise<ApiProcess> {
  const host = options.host ?? '127.0.0.1';
  const port = await freePort(host);
  return startApiProcess({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    cwd: options.root,
    env: {
      ...process.env,
      NODE_ENV: '',
      HOST: host,
      PORT: String(port),
      DATA_DIR: options.dataDir,
      STRIPE_SECRET_KEY: '',
      STRIPE_API_BASE: '',
      DATABASE_URL: '',
      API_KEYS: options.apiKeys,
      LOG_LEVEL: 'warn',
    },
    host,
    port,
    ...(options.readyPath === undefined ? {} : { readyPath: options.readyPath }),
  });
}
