import type { Clock } from '../../src/payments/clock.ts';

/** A clock that follows real time plus an offset that tests move forward. */
export class ManualClock implements Clock {
  #offsetMs = 0;
  readonly #frozen: Date | null;

  /** With `frozenAt`, time stands still until `advance` moves it. */
  constructor(frozenAt: Date | null = null) {
    this.#frozen = frozenAt;
  }

  now(): Date {
    const base = this.#frozen?.getTime() ?? Date.now();
    return new Date(base + this.#offsetMs);
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
