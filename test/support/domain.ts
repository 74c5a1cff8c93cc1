import { DEFAULT_SETTINGS, type Logger, type PaymentsDeps } from '../../src/payments/deps.ts';
import { ManualClock } from './clock.ts';
import { FakeStripe } from './fake-stripe.ts';
import { MemoryLedger } from './memory-ledger.ts';

/** A logger that keeps its lines, so tests can check what was logged. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; fields: object; message: string }[] = [];
  debug(fields: object, message: string): void {
    this.lines.push({ level: 'debug', fields, message });
  }
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', fields, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }
  error(fields: object, message: string): void {
    this.lines.push({ level: 'error', fields, message });
  }
}

export interface TestDomain {
  deps: PaymentsDeps;
  ledger: MemoryLedger;
  stripe: FakeStripe;
  clock: ManualClock;
  logger: MemoryLogger;
}

/** The domain's dependencies, all in memory, on a frozen clock. */
export function testDomain(): TestDomain {
  const clock = new ManualClock(new Date('2026-12-01T12:00:00Z'));
  const ledger = new MemoryLedger();
  const stripe = new FakeStripe(clock);
  const logger = new MemoryLogger();
  return {
    deps: { ledger, stripe, clock, logger, settings: DEFAULT_SETTINGS },
    ledger,
    stripe,
    clock,
    logger,
  };
}
