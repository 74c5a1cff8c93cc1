import { type HttpAnswer, isRecord } from './http.ts';

/**
 * What must never appear in an answer: a stack frame, an error's own text, a Stripe key, a file
 * of ours or of a dependency, Stripe's raw error members.
 */
const INTERNALS: readonly [string, RegExp][] = [
  ['a stack frame', /\n\s+at |\bat [^\s()]+ \([^)]*:\d+:\d+\)/],
  ['an error text', /\b[A-Za-z]*Error: /],
  ['a stack member', /"stack"\s*:/],
  ['a Stripe key', /\b(sk|rk|pk)_(test|live)_/],
  ['a source path', /node_modules|\/src\/|\.ts:\d+/],
  ['a raw Stripe error', /request_log_url|"raw"\s*:|doc_url/],
];

/** What in `text` betrays internals, or null. */
export function internalsIn(text: string): string | null {
  for (const [what, pattern] of INTERNALS) {
    if (pattern.test(text)) return what;
  }
  return null;
}

/**
 * Why an error answer breaks the error contract: not problem+json, no `code`, or a `status`
 * member that differs from the HTTP status. Empty for a good one, and for answers below 400.
 */
export function problemViolations(answer: HttpAnswer): string[] {
  const violations: string[] = [];
  if (answer.status < 400) return violations;

  const type = answer.headers['content-type'] ?? '';
  if (!type.startsWith('application/problem+json')) {
    violations.push(`content-type is "${type}", not application/problem+json`);
  }
  const body = answer.body;
  if (!isRecord(body)) return [...violations, 'body is not a JSON object'];
  if (typeof body.code !== 'string' || body.code === '') violations.push('no code');
  if (body.status !== answer.status) violations.push(`status member ${String(body.status)}`);
  if (typeof body.requestId !== 'string') violations.push('no requestId');
  return violations;
}

/**
 * The answers of a scenario: counts by status, and every one that broke the contract or carried
 * internals (any answer: the scenario's inputs are ours, so nothing in them looks like internals).
 */
export class AnswerBook {
  readonly byStatus = new Map<number, number>();
  /** Error answers by `status code`, e.g. `409 idempotency_key_in_use`. */
  readonly byError = new Map<string, number>();
  readonly violations: string[] = [];
  total = 0;
  /** The request ids of the first and the latest answer, to check the log covers them. */
  firstRequestId: string | undefined;
  lastRequestId: string | undefined;

  record(answer: HttpAnswer, context: string): void {
    this.total += 1;
    const id = answer.headers['x-request-id'];
    if (typeof id === 'string') {
      this.firstRequestId ??= id;
      this.lastRequestId = id;
    }
    this.byStatus.set(answer.status, (this.byStatus.get(answer.status) ?? 0) + 1);
    if (answer.status >= 400) {
      const code = isRecord(answer.body) ? String(answer.body.code) : 'none';
      const name = `${answer.status} ${code}`;
      this.byError.set(name, (this.byError.get(name) ?? 0) + 1);
    }
    const broken = problemViolations(answer);
    const leak = internalsIn(answer.text);
    if (leak !== null) broken.push(`carries ${leak}`);
    if (broken.length > 0 && this.violations.length < 50) {
      const excerpt = answer.text.slice(0, 300);
      this.violations.push(`${context}: ${answer.status} ${broken.join(', ')}: ${excerpt}`);
    }
  }

  count(predicate: (status: number) => boolean): number {
    let sum = 0;
    for (const [status, n] of this.byStatus) if (predicate(status)) sum += n;
    return sum;
  }

  /** e.g. `201:1930 402:380 502:12` */
  describe(): string {
    return [...this.byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}:${n}`)
      .join(' ');
  }
}
