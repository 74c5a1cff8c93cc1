/**
 * Request parameter checks: every endpoint declares the parameters it accepts (an allow-list with
 * kinds), and a request is checked against it before its handler runs, so handlers read values
 * whose types are already known. Stripe's rules: an unknown name is `parameter_unknown`, a missing
 * required one `parameter_missing`, an empty value means "unset".
 */
import {
  invalidArray,
  invalidBoolean,
  invalidEnum,
  invalidHash,
  invalidInteger,
  invalidRequest,
  invalidString,
  parameterMissing,
  parameterUnknown,
} from './errors.ts';
import type { Json, JsonObject } from './json.ts';
import { isJsonObject } from './json.ts';

/**
 * What a parameter holds. `range` is Stripe's `created=123` or `created[gte]=...`; `off_session`
 * is a boolean or `one_off`/`recurring`; `metadata` is a flat hash of strings.
 */
export type Kind =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'metadata'
  | 'strings'
  | 'range'
  | 'off_session'
  | { readonly hash: Shape };

export interface Spec {
  readonly kind: Kind;
  readonly required?: boolean;
  /** Allowed values of a string parameter. */
  readonly oneOf?: readonly string[];
}

/** The parameters an endpoint accepts, by name. */
export type Shape = Readonly<Record<string, Kind | Spec>>;

export function required(kind: Kind): Spec {
  return { kind, required: true };
}

export function oneOf(values: readonly string[], isRequired = false): Spec {
  return { kind: 'string', oneOf: values, required: isRequired };
}

export function hash(shape: Shape): Kind {
  return { hash: shape };
}

/** Parameters every endpoint accepts. */
export const COMMON: Shape = { expand: 'strings' };

/** Pagination parameters of every list endpoint. */
export const PAGINATION: Shape = {
  limit: 'integer',
  starting_after: 'string',
  ending_before: 'string',
  created: 'range',
  expand: 'strings',
};

const INTEGER = /^-?\d{1,16}$/;
const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'];
const METADATA_MAX_KEYS = 50;
const METADATA_MAX_KEY_LENGTH = 40;
const METADATA_MAX_VALUE_LENGTH = 500;

function pathOf(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}[${name}]`;
}

function specOf(entry: Kind | Spec): Spec {
  return typeof entry === 'object' && 'kind' in entry ? entry : { kind: entry };
}

function isEmpty(value: Json | undefined): boolean {
  return value === undefined || value === '';
}

/** Checks `raw` against `shape`; throws the StripeError Stripe would answer for the first problem. */
export function checkParams(raw: JsonObject, shape: Shape, prefix = ''): void {
  for (const name of Object.keys(raw)) {
    if (!Object.hasOwn(shape, name)) throw parameterUnknown(pathOf(prefix, name));
  }
  for (const [name, entry] of Object.entries(shape)) {
    const spec = specOf(entry);
    const value = raw[name];
    const path = pathOf(prefix, name);
    if (isEmpty(value)) {
      if (spec.required) throw parameterMissing(path);
      continue;
    }
    if (value !== undefined) checkValue(value, spec, path);
  }
}

function checkValue(value: Json, spec: Spec, path: string): void {
  const kind = spec.kind;
  if (typeof kind === 'object') {
    if (!isJsonObject(value)) throw invalidHash(path);
    checkParams(value, kind.hash, path);
    return;
  }
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw invalidString(path);
      if (spec.oneOf && !spec.oneOf.includes(value)) throw invalidEnum(path, value, spec.oneOf);
      return;
    case 'integer':
      if (typeof value !== 'string') throw invalidInteger(path, JSON.stringify(value));
      if (!INTEGER.test(value)) throw invalidInteger(path, value);
      return;
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw invalidBoolean(path, String(value));
      return;
    case 'off_session':
      if (!['true', 'false', 'one_off', 'recurring'].includes(String(value))) {
        throw invalidEnum(path, String(value), ['true', 'false', 'one_off', 'recurring']);
      }
      return;
    case 'strings':
      if (!Array.isArray(value)) throw invalidArray(path);
      value.forEach((item, index) => {
        if (typeof item !== 'string') throw invalidString(`${path}[${index}]`);
      });
      return;
    case 'metadata':
      checkMetadata(value, path);
      return;
    case 'range':
      checkRange(value, path);
      return;
  }
}

function checkMetadata(value: Json, path: string): void {
  if (!isJsonObject(value)) throw invalidHash(path);
  const keys = Object.keys(value);
  if (keys.length > METADATA_MAX_KEYS) {
    throw invalidRequest(`You can have at most ${METADATA_MAX_KEYS} metadata keys.`, path);
  }
  for (const key of keys) {
    const item = value[key];
    const itemPath = `${path}[${key}]`;
    if (typeof item !== 'string') throw invalidString(itemPath);
    if (key.length > METADATA_MAX_KEY_LENGTH) {
      throw invalidRequest(
        `Metadata keys can have up to ${METADATA_MAX_KEY_LENGTH} characters.`,
        itemPath,
      );
    }
    if (item.length > METADATA_MAX_VALUE_LENGTH) {
      throw invalidRequest(
        `Metadata values can have up to ${METADATA_MAX_VALUE_LENGTH} characters.`,
        itemPath,
      );
    }
  }
}

function checkRange(value: Json, path: string): void {
  if (typeof value === 'string') {
    if (!INTEGER.test(value)) throw invalidInteger(path, value);
    return;
  }
  if (!isJsonObject(value)) throw invalidHash(path);
  for (const [key, bound] of Object.entries(value)) {
    if (!RANGE_KEYS.includes(key)) throw parameterUnknown(`${path}[${key}]`);
    if (typeof bound !== 'string' || !INTEGER.test(bound)) {
      throw invalidInteger(`${path}[${key}]`, String(bound));
    }
  }
}

/** Bounds of a `created` filter, each optional. */
export interface Range {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/**
 * Read access to checked parameters. Getters narrow at run time, so a getter used with the wrong
 * kind yields `undefined` rather than a wrong type.
 */
export class Params {
  constructor(
    readonly raw: JsonObject,
    private readonly prefix = '',
  ) {}

  /** The name as Stripe reports it in `param` (`invoice_settings[default_payment_method]`). */
  path(name: string): string {
    return pathOf(this.prefix, name);
  }

  /** Whether the parameter was sent at all, even empty (an update that unsets a field). */
  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  /** A non-empty string, or undefined when absent or empty. */
  string(name: string): string | undefined {
    const value = this.raw[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  /** For updates: undefined when absent, null when sent empty (unset), else the string. */
  nullable(name: string): string | null | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    return typeof value === 'string' && value !== '' ? value : null;
  }

  integer(name: string): number | undefined {
    const value = this.string(name);
    return value === undefined ? undefined : Number.parseInt(value, 10);
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    return value === undefined ? undefined : value === 'true';
  }

  offSession(name: string): boolean | 'one_off' | 'recurring' | undefined {
    const value = this.string(name);
    if (value === 'one_off' || value === 'recurring') return value;
    return value === undefined ? undefined : value === 'true';
  }

  strings(name: string): string[] {
    const value = this.raw[name];
    if (!Array.isArray(value)) return [];
    return value.filter((item): item is string => typeof item === 'string' && item !== '');
  }

  /** Metadata as sent: a value of '' means "delete this key" on an update. */
  metadata(name: string): Record<string, string> | null | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (!isJsonObject(value)) return null;
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string') out[key] = item;
    }
    return out;
  }

  /** A nested hash, or undefined when absent or sent empty. */
  hash(name: string): Params | undefined {
    const value = this.raw[name];
    return isJsonObject(value) ? new Params(value, this.path(name)) : undefined;
  }

  range(name: string): Range | undefined {
    const value = this.raw[name];
    if (typeof value === 'string' && value !== '') {
      const exact = Number.parseInt(value, 10);
      return { gte: exact, lte: exact };
    }
    if (!isJsonObject(value)) return undefined;
    const range: Range = {};
    for (const key of ['gt', 'gte', 'lt', 'lte'] as const) {
      const bound = value[key];
      if (typeof bound === 'string' && bound !== '') range[key] = Number.parseInt(bound, 10);
    }
    return range;
  }
}

/** Merges metadata updates into existing metadata: '' deletes a key, null clears everything. */
export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string> | null | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}
