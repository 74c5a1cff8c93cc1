import type { Logger } from './payments/deps.ts';

/** The part of `process` that delivers signals. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface ShutdownOptions {
  /** Stops accepting, waits for requests in flight, closes the ledger and the sandbox. */
  close(): Promise<void>;
  /** After this long the process exits anyway, with code 1. */
  timeoutMs: number;
  logger: Logger;
  exit(code: number): void;
  /** Default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** Where the signals are listened for; default the process (tests pass an emitter). */
  emitter?: SignalSource;
}

/**
 * Graceful, bounded shutdown. The first signal closes the service and exits 0 once it is closed;
 * if that takes longer than `timeoutMs`, or a second signal comes (an impatient operator, a
 * second Ctrl-C), the process exits at once with code 1. A payment cut short that way is not
 * lost: its attempt stays pending and the sweeper of any instance resolves it.
 */
export function handleShutdownSignals(options: ShutdownOptions): void {
  const { logger, exit, timeoutMs } = options;
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down');

    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting with requests in flight');
      exit(1);
    }, timeoutMs);
    options.close().then(
      () => {
        clearTimeout(timer);
        logger.info({}, 'shut down');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };

  const emitter = options.emitter ?? process;
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) emitter.on(signal, onSignal);
}
