/**
 * The part of newman's programmatic API that `scripts/postman.ts` uses. newman ships no types and
 * only newman itself may be added, so this declares what its README documents for `newman.run`.
 */
declare module 'newman' {
  import type { EventEmitter } from 'node:events';

  export interface Variable {
    key: string;
    value: string;
  }

  export interface RunOptions {
    /** A path or URL of a collection file, or the collection itself. */
    collection: string | object;
    /** A path or URL of an environment file, or the environment itself. */
    environment?: string | object;
    /** Values that override the environment's. */
    envVar?: Variable[];
    /** Run only these folders (by name), in the collection's order. */
    folder?: string | string[];
    reporters?: string | string[];
    /** Per-request timeout in milliseconds. */
    timeoutRequest?: number;
    /** Colored output: 'on', 'off' or 'auto'. */
    color?: 'on' | 'off' | 'auto';
  }

  export interface Failure {
    error: { name: string; message: string; test?: string };
    source?: { name?: string };
  }

  export interface Summary {
    run: {
      failures: Failure[];
      error: Error | null;
      stats: Record<string, { total: number; failed: number; pending?: number }>;
    };
  }

  export function run(
    options: RunOptions,
    callback: (error: Error | null, summary: Summary) => void,
  ): EventEmitter;

  const newman: { run: typeof run };
  export default newman;
}
