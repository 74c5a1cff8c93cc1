import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/observability/logger.ts';

function capture(secrets: string[] = []) {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n').filter((l) => l !== '')) lines.push(JSON.parse(line));
    },
  };
  return { lines, logger: createLogger({ level: 'info', secrets, destination }) };
}

describe('createLogger', () => {
  it('writes JSON lines with the fields first and a short message', () => {
    const { lines, logger } = capture();

    logger.info({ attemptId: 'att_1' }, 'sweeper recorded attempt');

    assert.equal(lines[0]?.attemptId, 'att_1');
    assert.equal(lines[0]?.msg, 'sweeper recorded attempt');
    assert.equal(lines[0]?.level, 30);
  });

  it('redacts secret fields by name and masks email fields', () => {
    const { lines, logger } = capture();

    logger.info(
      {
        email: 'jane@example.com',
        authorization: 'Bearer abc',
        stripeCreditCardToken: 'tok_visa',
        req: { headers: { authorization: 'Bearer abc' } },
        stripe: { clientSecret: 'pi_1_secret_2', secretKey: 'sk_test_x', email: 'bo@example.org' },
      },
      'fields',
    );

    assert.deepEqual(lines[0], {
      ...lines[0],
      email: 'j***@example.com',
      authorization: '[redacted]',
      stripeCreditCardToken: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
      stripe: { clientSecret: '[redacted]', secretKey: '[redacted]', email: 'b***@example.org' },
    });
  });

  it('masks secrets, tokens and emails that reach a message or an error', () => {
    const { lines, logger } = capture(['shop-test-secret-0001']);

    logger.error(
      { err: new Error('key shop-test-secret-0001 for jane@example.com, card tok_visa') },
      'failed for ann@example.com with sk_live_abc',
    );

    const text = JSON.stringify(lines[0]);
    for (const leak of ['shop-test-secret-0001', 'jane@', 'ann@', 'tok_visa', 'sk_live_abc']) {
      assert.ok(!text.includes(leak), `${leak} in ${text}`);
    }
    assert.match(text, /j\*\*\*@example\.com/);
  });
});
