import type { ApiProcess } from '../../../scripts/api-process.ts';

/**
 * `startApiProcess` keeps only the last 64 KiB of a child's output; a scenario's log is several
 * megabytes. What came before it resolved is taken from its buffer (a start-up writes a few
 * lines), everything after from the streams directly.
 */
const STARTUP_BUFFER_LIMIT = 60 * 1024;

/** The whole output of every process of a scenario, restarts included, to search for secrets. */
export class LogCollector {
  readonly #chunks: Buffer[] = [];

  /**
   * Starts collecting a process's output. Call it right after `startApiProcess` resolves: no
   * stream event can run between that resolution and this synchronous call.
   *
   * @throws when the start-up output may have been cut (then this collector would miss a part).
   */
  attach(api: ApiProcess, label: string): void {
    const startup = api.output();
    if (startup.length >= STARTUP_BUFFER_LIMIT) {
      throw new Error(`${label}: start-up output too long to be kept whole`);
    }
    this.#chunks.push(Buffer.from(startup, 'utf8'));
    const collect = (chunk: Buffer | string) => {
      this.#chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    };
    api.child.stdout?.on('data', collect);
    api.child.stderr?.on('data', collect);
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  /** How many lines carry this pino message. */
  count(message: string): number {
    return this.text().split(`"msg":${JSON.stringify(message)}`).length - 1;
  }

  /** Lines pino wrote at `error` level (50) or above. */
  errorLines(): string[] {
    return this.text()
      .split('\n')
      .filter((line) => /"level":(5|6)0\b/.test(line));
  }
}

/**
 * The secrets found in `text`, each reported once. A secret is any value that must never be
 * logged: the Stripe key, the API key, card tokens, full email addresses.
 */
export function secretsIn(text: string, secrets: Iterable<string>): string[] {
  const found = new Set<string>();
  const haystack = text.toLowerCase();
  for (const secret of secrets) {
    if (secret.length > 0 && haystack.includes(secret.toLowerCase())) found.add(secret);
  }
  return [...found];
}
