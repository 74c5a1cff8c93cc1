import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmt, markdownTable, signed } from '../../bench/markdown.ts';

describe('markdownTable', () => {
  it('right-aligns figure columns, left-aligns text columns and escapes pipes in cells', () => {
    const table = markdownTable(
      [{ title: 'Server', text: true }, { title: 'req/s' }],
      [
        ['a|b', '1,200'],
        ['c', '30'],
      ],
    );
    assert.equal(table, '| Server | req/s |\n|---|---:|\n| a\\|b | 1,200 |\n| c | 30 |');
  });
});

describe('fmt and signed', () => {
  it('formats with thousands separators and fixed decimals', () => {
    assert.equal(fmt(12345.678), '12,346');
    assert.equal(fmt(0.5, 2), '0.50');
  });

  it('shows n/a for a figure that could not be measured', () => {
    assert.equal(fmt(Number.NaN), 'n/a');
    assert.equal(signed(Number.POSITIVE_INFINITY), 'n/a');
  });

  it('always shows the sign', () => {
    assert.equal(signed(1.234, 1), '+1.2');
    assert.equal(signed(-0.4, 2), '-0.40');
    assert.equal(signed(0, 1), '+0.0');
  });
});
