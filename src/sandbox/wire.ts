/**
 * Stripe's v1 wire format for parameters: `application/x-www-form-urlencoded` with bracket nesting
 * (`metadata[order]=1`), indexed (`expand[0]=x`, as stripe-node sends) and empty-bracket
 * (`expand[]=x`) arrays, in the body of a POST and in the query string of a GET or DELETE.
 */
import qs from 'qs';
import { transportError } from './errors.ts';
import type { Json, JsonObject } from './json.ts';

// qs's defaults silently mangle large requests: indices above `arrayLimit` (20) become object
// keys, parameters past `parameterLimit` (1000) are dropped, and keys deeper than `depth` (5) are
// kept as literal text. Raise the limits to what Stripe's API needs and make going past them an
// error, so a request is either read whole or refused.
const OPTIONS: qs.IParseOptions = {
  depth: 8,
  strictDepth: true,
  arrayLimit: 1000,
  parameterLimit: 5000,
  throwOnLimitExceeded: true,
  // Objects without a prototype: a parameter named `toString` is just an unknown parameter.
  plainObjects: true,
  allowPrototypes: true,
  allowDots: false,
  // Rack, which Stripe runs on, keeps the last of repeated scalar keys.
  duplicates: 'last',
  ignoreQueryPrefix: true,
};

function toJson(value: unknown): Json {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toJson(item);
    }
    return out;
  }
  return '';
}

/** Parses a form-encoded body or query string; throws a 400 envelope error past the limits. */
export function parseForm(text: string): JsonObject {
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = qs.parse(text, OPTIONS);
  } catch (error) {
    const detail = error instanceof RangeError ? error.message : 'unreadable parameters';
    throw transportError(400, `Invalid request parameters: ${detail}`);
  }
  const json = toJson(parsed);
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {};
}
