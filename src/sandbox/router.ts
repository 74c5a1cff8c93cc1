import type { Route } from './context.ts';

export interface Match {
  route: Route;
  values: Map<string, string>;
}

interface Compiled {
  route: Route;
  segments: string[];
}

/**
 * Matches `METHOD /path` against route patterns. Literal segments win over `:name` ones, so
 * `/v1/payment_intents/search` could never be taken for an id; the table is small, a scan is fine.
 */
export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({ route, segments: route.pattern.split('/') }));
  }

  match(method: string, pathname: string): Match | undefined {
    const parts = pathname.split('/');
    let best: { match: Match; literals: number } | undefined;
    for (const { route, segments } of this.compiled) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const values = new Map<string, string>();
      let literals = 0;
      let matched = true;
      for (let i = 0; i < segments.length && matched; i++) {
        const segment = segments[i] ?? '';
        const part = parts[i] ?? '';
        if (segment.startsWith(':')) {
          const value = decode(part);
          if (value === undefined || value === '') matched = false;
          else values.set(segment.slice(1), value);
        } else if (segment === part) {
          literals++;
        } else {
          matched = false;
        }
      }
      if (matched && (!best || literals > best.literals)) {
        best = { match: { route, values }, literals };
      }
    }
    return best?.match;
  }
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
