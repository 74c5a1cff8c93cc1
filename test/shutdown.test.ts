import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { handleShutdownSignals } from '../src/shutdown.ts';
import { MemoryLogger } from './support/domain.ts';

/** Wires the handler to a fake process; answers the exit codes it asked for. */
function setUp(close: () => Promise<void>, timeoutMs = 5_000) {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const exited = new Promise<void>((resolve) => {
    handleShutdownSignals({
      close,
      timeoutMs,
      logger: new MemoryLogger(),
      exit: (code) => {
        exits.push(code);
        resolve();
      },
      emitter,
    });
  });
  return { emitter, exits, exited };
}

describe('handleShutdownSignals', () => {
  it('closes the service once and exits 0 on SIGTERM', async () => {
    let closes = 0;
    const { emitter, exits, exited } = setUp(async () => {
      closes += 1;
    });

    emitter.emit('SIGTERM', 'SIGTERM');
    await exited;

    assert.equal(closes, 1);
    assert.deepEqual(exits, [0]);
  });

  it('exits 1 when closing takes longer than the timeout', async () => {
    const { emitter, exits, exited } = setUp(() => new Promise(() => {}), 20);

    emitter.emit('SIGINT', 'SIGINT');
    await exited;

    assert.deepEqual(exits, [1]);
  });

  it('exits 1 at once on a second signal', async () => {
    let finish = () => {};
    const { emitter, exits, exited } = setUp(
      () =>
        new Promise((resolve) => {
          finish = resolve;
        }),
    );

    emitter.emit('SIGTERM', 'SIGTERM');
    emitter.emit('SIGINT', 'SIGINT');
    await exited;
    finish();

    assert.equal(exits[0], 1);
  });

  it('exits 1 when closing fails', async () => {
    const { emitter, exits, exited } = setUp(async () => {
      throw new Error('ledger close failed');
    });

    emitter.emit('SIGTERM', 'SIGTERM');
    await exited;

    assert.deepEqual(exits, [1]);
  });
});
