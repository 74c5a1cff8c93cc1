import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReadiness } from '../../src/observability/readiness.ts';
import { ManualClock } from '../support/clock.ts';

describe('createReadiness', () => {
  it('is ready when every check resolves', async () => {
    const readiness = createReadiness({ ledger: async () => {}, stripe: async () => {} });

    const report = await readiness.check();

    assert.equal(report.ready, true);
    assert.deepEqual(report.checks, { ledger: 'ok', stripe: 'ok' });
  });

  it('is not ready when a check fails, and keeps why for the log', async () => {
    const down = new Error('connection refused');
    const readiness = createReadiness({
      ledger: async () => {
        throw down;
      },
      stripe: async () => {},
    });

    const report = await readiness.check();

    assert.equal(report.ready, false);
    assert.deepEqual(report.checks, { ledger: 'failed', stripe: 'ok' });
    assert.equal(report.failures.ledger, down);
  });

  it('counts a check that does not answer in time as failed', async () => {
    const readiness = createReadiness(
      { ledger: () => new Promise(() => {}), stripe: async () => {} },
      { timeoutMs: 20 },
    );

    const report = await readiness.check();

    assert.deepEqual(report.checks, { ledger: 'failed', stripe: 'ok' });
  });

  it('reuses a report for the cache period and runs the checks again after it', async () => {
    const clock = new ManualClock(new Date('2026-12-01T12:00:00Z'));
    let runs = 0;
    const readiness = createReadiness(
      {
        stripe: async () => {
          runs += 1;
        },
      },
      { clock, cacheMs: 10_000 },
    );

    await readiness.check();
    clock.advance(9_999);
    await readiness.check();
    assert.equal(runs, 1);

    clock.advance(1);
    await readiness.check();
    assert.equal(runs, 2);
  });

  it('lets concurrent callers share one run of the checks', async () => {
    let runs = 0;
    const readiness = createReadiness({
      stripe: async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
      },
    });

    await Promise.all([readiness.check(), readiness.check(), readiness.check()]);

    assert.equal(runs, 1);
  });
});
