/**
 * The private control endpoints under `/_sandbox` (JSON in and out, no API key, never faulted or
 * delayed): reset all state, read and change latency and faults, and read request counts.
 */
import { applyConfig, ConfigError, copyConfig, type RuntimeConfig } from './config.ts';
import type { Reply } from './context.ts';
import type { Store } from './store.ts';

/** Counts of /v1 requests received, by `METHOD /route/pattern`. */
export class RequestStats {
  total = 0;
  private readonly byRoute = new Map<string, number>();

  count(route: string): void {
    this.total += 1;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
  }

  toJSON() {
    return { total: this.total, byRoute: Object.fromEntries(this.byRoute) };
  }
}

/** What the control endpoints act on. */
export interface SandboxState {
  config: RuntimeConfig;
  readonly initial: RuntimeConfig;
  readonly stats: RequestStats;
  readonly store: Store;
}

function controlError(status: number, message: string): Reply {
  return { status, body: { error: { type: 'invalid_request_error', message } } };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Answers one control request. */
export function handleControl(
  state: SandboxState,
  method: string,
  path: string,
  body: string,
): Reply {
  const route = `${method} ${path}`;
  switch (route) {
    case 'POST /_sandbox/reset':
      state.store.reset();
      state.config = copyConfig(state.initial);
      state.stats.reset();
      return { status: 200, body: { ok: true } };
    case 'GET /_sandbox/config':
      return { status: 200, body: state.config };
    case 'POST /_sandbox/config': {
      const parsed = parseJson(body);
      if (!parsed.ok) return controlError(400, 'The body must be JSON.');
      try {
        state.config = applyConfig(state.config, parsed.value);
      } catch (error) {
        if (error instanceof ConfigError) return controlError(400, error.message);
        throw error;
      }
      return { status: 200, body: state.config };
    }
    case 'GET /_sandbox/stats':
      return { status: 200, body: { requests: state.stats.toJSON() } };
    default:
      return controlError(
        404,
        `Unrecognized sandbox control URL (${method}: ${path}). Known: POST /_sandbox/reset, ` +
          'GET and POST /_sandbox/config, GET /_sandbox/stats.',
      );
  }
}
