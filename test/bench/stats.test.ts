import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mean, median, percentile, ratio, round, summarise } from '../../bench/stats.ts';

describe('percentile', () => {
  it('returns the nearest-rank value whatever the input order', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(values, 50), 5);
    assert.equal(percentile(values, 90), 9);
    assert.equal(percentile(values, 99), 10);
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile(values, 100), 10);
  });

  it('returns NaN for no values', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('leaves the input array in its order', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    assert.deepEqual(values, [3, 1, 2]);
  });
});

describe('median and mean', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('returns NaN for no values', () => {
    assert.ok(Number.isNaN(median([])));
    assert.ok(Number.isNaN(mean([])));
  });

  it('averages the values', () => {
    assert.equal(mean([1, 2, 3, 6]), 3);
  });
});

describe('ratio and round', () => {
  it('divides, or gives NaN when the divisor is zero or a side is not finite', () => {
    assert.equal(ratio(3, 2), 1.5);
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(Number.NaN, 2)));
  });

  it('rounds to the given decimals and lets NaN through', () => {
    assert.equal(round(1.23456, 2), 1.23);
    assert.equal(round(2.5, 0), 3);
    assert.ok(Number.isNaN(round(Number.NaN)));
  });
});

describe('summarise', () => {
  it('reports percentiles, mean, min and max of the latencies', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(summarise(latencies), {
      p50: 50,
      p90: 90,
      p99: 99,
      mean: 50.5,
      min: 1,
      max: 100,
    });
  });

  it('handles more values than a function call takes arguments', () => {
    const latencies = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    const summary = summarise(latencies);
    assert.equal(summary.min, 0);
    assert.equal(summary.max, 999);
  });

  it('gives NaN for every figure when nothing was measured', () => {
    for (const value of Object.values(summarise([]))) assert.ok(Number.isNaN(value));
  });
});
