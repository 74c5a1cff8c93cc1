import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuTimeMs, parseCpuTimeMs } from '../../bench/cpu.ts';

describe('parseCpuTimeMs', () => {
  it('adds user and system ticks as ms, even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 123 45 0 0 20 0 11 0';
    assert.equal(parseCpuTimeMs(stat), (123 + 45) * 10);
  });
});

describe('cpuTimeMs', () => {
  it('gives NaN for a process it cannot read', () => {
    assert.ok(Number.isNaN(cpuTimeMs(undefined)));
    assert.ok(Number.isNaN(cpuTimeMs(2 ** 30)));
  });
});
