import { type Clock, systemClock } from '../payments/clock.ts';

/** One dependency check: resolves when the dependency answers. */
export type Check = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  /** Each check by name: `ok` or `failed`. */
  checks: Record<string, 'ok' | 'failed'>;
  /** Why each failed check failed (for the log, never for the answer). */
  failures: Record<string, unknown>;
}

export interface ReadinessOptions {
  /** A report is reused for this long; default 10 s, so probes never hammer Stripe. */
  cacheMs?: number;
  /** A check that has not answered by then counts as failed; default 5 s. */
  timeoutMs?: number;
  clock?: Clock;
}

export interface Readiness {
  /** The latest report, at most `cacheMs` old; concurrent callers share one run of the checks. */
  check(): Promise<ReadinessReport>;
}

/** Runs the checks (all at once) when the cached report is too old, else answers the cached one. */
export function createReadiness(
  checks: Record<string, Check>,
  options: ReadinessOptions = {},
): Readiness {
  const cacheMs = options.cacheMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const clock = options.clock ?? systemClock;
  let cached: { report: ReadinessReport; at: number } | null = null;
  let running: Promise<ReadinessReport> | null = null;

  const run = async (): Promise<ReadinessReport> => {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(
      names.map((name) => withTimeout(checks[name] ?? (async () => {}), timeoutMs, name)),
    );
    const report: ReadinessReport = { ready: true, checks: {}, failures: {} };
    for (const [index, result] of results.entries()) {
      const name = names[index] ?? String(index);
      report.checks[name] = result.status === 'fulfilled' ? 'ok' : 'failed';
      if (result.status === 'rejected') {
        report.ready = false;
        report.failures[name] = result.reason;
      }
    }
    cached = { report, at: clock.now().getTime() };
    return report;
  };

  return {
    check() {
      if (cached !== null && clock.now().getTime() - cached.at < cacheMs) {
        return Promise.resolve(cached.report);
      }
      running ??= run().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

function withTimeout(check: Check, timeoutMs: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} check timed out`)), timeoutMs);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}
