/**
 * The bench's handle on its load-generator process (worker.ts): forks it once, sends it jobs over
 * IPC one at a time, and checks what comes back.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import {
  type Job,
  type LoadJob,
  type LoadResult,
  parseJobReply,
  parseLoadResult,
  parseTimedResult,
  type TimedJob,
  type TimedResult,
} from './jobs.ts';

const WORKER = new URL('./worker.ts', import.meta.url).pathname;

/** A job's longest expected run beyond its own duration before the bench gives up on it. */
const SLACK_MS = 60_000;

export class LoadGenerator {
  readonly #child: ChildProcess;
  #nextId = 1;
  readonly #pending = new Map<number, (reply: { result: unknown; error?: string }) => void>();

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: unknown) => {
      const { id, result, error } = parseJobReply(message);
      const settle = this.#pending.get(id);
      this.#pending.delete(id);
      settle?.(error === undefined ? { result } : { result, error });
    });
    child.on('exit', () => {
      for (const settle of this.#pending.values()) {
        settle({ result: null, error: 'the load generator exited' });
      }
      this.#pending.clear();
    });
  }

  /** Forks the load-generator process (node with tsx, like the rest of the bench). */
  static async start(): Promise<LoadGenerator> {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Structured clone keeps NaN (a figure that could not be measured); JSON would make it null.
      serialization: 'advanced',
    });
    await once(child, 'spawn');
    return new LoadGenerator(child);
  }

  /** The process id, for CPU accounting. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Runs autocannon for `job.durationSec` seconds. */
  async load(job: Omit<LoadJob, 'kind'>): Promise<LoadResult> {
    const raw = await this.#send({ kind: 'load', ...job }, job.durationSec * 1000);
    const result = parseLoadResult(raw);
    if (result === null) throw new Error('the load generator sent a malformed load result');
    return result;
  }

  /** Times one GET of `path` at `url`. */
  async time(job: Omit<TimedJob, 'kind'>): Promise<TimedResult> {
    const raw = await this.#send({ kind: 'timed', ...job }, 0);
    const result = parseTimedResult(raw);
    if (result === null) throw new Error('the load generator sent a malformed timed result');
    return result;
  }

  /** Ends the process: it exits when its IPC channel closes; SIGKILL if it does not. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Last resort on process exit, where nothing asynchronous runs any more. */
  killNow(): void {
    this.#child.kill('SIGKILL');
  }

  #send(job: Job, expectedMs: number): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the load generator did not answer job ${id} (${job.kind}) in time`));
      }, expectedMs + SLACK_MS);
      this.#pending.set(id, ({ result, error }) => {
        clearTimeout(timer);
        if (error === undefined) resolve(result);
        else reject(new Error(`load generator: ${error}`));
      });
      this.#child.send({ id, job });
    });
  }
}
