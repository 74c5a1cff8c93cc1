import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidEmail, normalizeEmail } from '../../src/payments/email.ts';

describe('isValidEmail', () => {
  it('accepts ordinary addresses, also with surrounding spaces', () => {
    for (const email of [
      'ada@example.com',
      'Ada.Lovelace+billing@mail.example.co.uk',
      "o'brien@example.ie",
      '  ada@example.com\t',
      'x@xn--bcher-kva.example',
    ]) {
      assert.ok(isValidEmail(email), email);
    }
  });

  it('refuses what is not a mailbox on the internet', () => {
    for (const email of [
      '',
      'ada',
      'ada@',
      '@example.com',
      'ada@localhost',
      'ada@example',
      'ada@@example.com',
      'a da@example.com',
      '.ada@example.com',
      'ada.@example.com',
      'a..da@example.com',
      'ada@-example.com',
      'ada@example.c0m',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      assert.ok(!isValidEmail(email), email);
    }
  });

  it('accepts 254 characters and refuses 255, counted after trimming', () => {
    const address = (lastLabel: number) =>
      `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(lastLabel)}.com`;
    assert.equal(address(57).length, 254);

    assert.ok(isValidEmail(`  ${address(57)}  `));
    assert.ok(!isValidEmail(address(58)));
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    assert.equal(normalizeEmail('  Ada@Example.COM '), 'ada@example.com');
  });
});
