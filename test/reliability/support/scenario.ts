import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AnswerBook } from './answers.ts';
import type { PaymentAudit } from './audit.ts';
import { type LogCollector, secretsIn } from './logs.ts';

/**
 * Assertions every load scenario makes, phrased so that a failure lists the first examples.
 */

/** Fails with up to ten of `findings` when there are any. */
export function assertNone(findings: readonly string[], what: string): void {
  if (findings.length === 0) return;
  const shown = findings.slice(0, 10).join('\n  ');
  assert.fail(`${findings.length} ${what}:\n  ${shown}`);
}

/** The payment invariants of the issue, one assertion each. */
export function assertNoDoubleCharge(audit: PaymentAudit): void {
  assertNone(audit.doubleCharges, 'request keys with more than one succeeded PaymentIntent');
  assertNone(audit.duplicates, 'request keys with more than one PaymentIntent');
  assertNone(audit.strays, 'PaymentIntents made for no request of this scenario');
}

export function assertAllRecorded(audit: PaymentAudit): void {
  assertNone(audit.unrecorded, 'PaymentIntents missing from the ledger or recorded wrongly');
  assertNone(audit.phantoms, 'ledger payments the sandbox does not have');
}

export function assertAnswersTrue(audit: PaymentAudit): void {
  assertNone(audit.bad201s, '201 answers not naming a succeeded PaymentIntent of their request');
  assertNone(audit.bad402s, '402 answers not naming a declined PaymentIntent of their request');
}

/**
 * No secret value anywhere in the processes' output, which must cover the scenario from its
 * first answer to its last (else a leak could hide in what was not captured).
 */
export function assertNoSecrets(
  logs: LogCollector,
  book: AnswerBook,
  secrets: Iterable<string>,
): void {
  const text = logs.text();
  for (const id of [book.firstRequestId, book.lastRequestId]) {
    assert.ok(id !== undefined && text.includes(id), `the log misses request ${id}`);
  }
  const found = secretsIn(text, secrets);
  assertNone(
    found.map((secret) => `${secret.slice(0, 12)}... (${secret.length} chars)`),
    'secrets in the API logs',
  );
}

/**
 * Answers other than those expected, as findings. `expected` lists success statuses (`'201'`)
 * and errors as `status code` (`'409 idempotency_key_in_use'`).
 */
export function unexpectedAnswers(book: AnswerBook, expected: readonly string[]): string[] {
  const findings: string[] = [];
  for (const [status, n] of book.byStatus) {
    if (status < 400 && !expected.includes(String(status))) {
      findings.push(`${n} answers with status ${status}`);
    }
  }
  for (const [name, n] of book.byError) {
    if (!expected.includes(name)) findings.push(`${n} answers ${name}`);
  }
  return findings;
}

/** What a load scenario hands the shared tests, read once its `before` hook has run. */
export interface LoadScenario {
  audit(): PaymentAudit | undefined;
  book: AnswerBook;
  /** The answers the scenario may get, in `unexpectedAnswers` form. */
  expectedAnswers: readonly string[];
  logs: LogCollector;
  /** The Stripe key, the API key, every card token and email the scenario sent. */
  secrets(): string[];
}

/** Registers the invariants as tests of the enclosing `describe`. */
export function itKeepsThePaymentInvariants(scenario: LoadScenario): void {
  const audited = () => scenario.audit() ?? assert.fail('the scenario did not get to its audit');

  it('leaves at most one PaymentIntent, so at most one charge, per Idempotency-Key', () => {
    assertNoDoubleCharge(audited());
  });

  it('has every PaymentIntent of the sandbox in the ledger once the sweeper has run', () => {
    assertAllRecorded(audited());
  });

  it('named a succeeded PaymentIntent of the request in every 201 it answered', () => {
    assertAnswersTrue(audited());
  });

  it('answered errors as problem documents, none unexpected, none with internals', () => {
    assertNone(scenario.book.violations, 'answers breaking the error contract');
    assertNone(unexpectedAnswers(scenario.book, scenario.expectedAnswers), 'unexpected answers');
  });

  it('ended every request with an answer once the clients retried the outstanding keys', () => {
    assertNone(audited().unanswered, 'keys without a final answer');
  });

  it('logged no Stripe key, API key, card token or full email', () => {
    assertNoSecrets(scenario.logs, scenario.book, scenario.secrets());
  });
}

/** `name=value` pairs on one line, as the README's figures are read from. */
export function summaryLine(scenario: string, figures: Record<string, number | string>): string {
  const pairs = Object.entries(figures).map(([name, value]) => `${name}=${value}`);
  return `reliability summary [${scenario}] ${pairs.join(' ')}`;
}
