/**
 * The sandbox's options (the public contract) and its run-time configuration of latency and
 * faults: defaults, and the one validation used by `startSandbox`, the environment reader and
 * `POST /_sandbox/config`.
 */

import { isRecord } from './json.ts';

export type FaultKind = 'http_500' | 'http_503' | 'http_429' | 'http_429_retry' | 'reset' | 'hang';

export const FAULT_KINDS: readonly FaultKind[] = [
  'http_500',
  'http_503',
  'http_429',
  'http_429_retry',
  'reset',
  'hang',
];

export interface LatencyOptions {
  /** Added to every /v1 request, in milliseconds; default 0. */
  fixedMs?: number;
  /** Plus a uniform random 0..jitterMs; default 0. */
  jitterMs?: number;
}

export interface FaultOptions {
  /** 0..1: share of /v1 requests that fail, default 0. */
  rate?: number;
  /** Which faults to draw from, default all six. */
  kinds?: FaultKind[];
  /** The next N /v1 requests fail (before `rate` applies), default 0. */
  next?: number;
  /** How long a 'hang' holds the request before destroying the socket, default 30000. */
  hangMs?: number;
}

export interface SandboxOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 = any free port. */
  port?: number;
  /** Keep state in this SQLite file; default: in memory. */
  databaseFile?: string;
  latency?: LatencyOptions;
  faults?: FaultOptions;
  /** Request log to stderr, default false. */
  log?: boolean;
}

/** Latency and faults with every field set; what `GET /_sandbox/config` answers. */
export interface RuntimeConfig {
  latency: { fixedMs: number; jitterMs: number };
  faults: { rate: number; kinds: FaultKind[]; next: number; hangMs: number };
}

/** A configuration value out of range; the message names the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const MAX_DELAY_MS = 600_000;

function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && FAULT_KINDS.some((kind) => kind === value);
}

function checkNumber(
  value: unknown,
  name: string,
  options: { max: number; integer?: boolean },
): number {
  const integer = options.integer ?? false;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= 0 &&
    value <= options.max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const what = integer ? 'an integer' : 'a number';
    throw new ConfigError(`${name} must be ${what} from 0 to ${options.max}`);
  }
  return value;
}

function checkKinds(value: unknown, name: string): FaultKind[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(`${name} must be a non-empty list of ${FAULT_KINDS.join(', ')}`);
  }
  const kinds: FaultKind[] = [];
  for (const item of value) {
    if (!isFaultKind(item)) {
      throw new ConfigError(`${name} has an unknown fault kind ${JSON.stringify(item)}`);
    }
    if (!kinds.includes(item)) kinds.push(item);
  }
  return kinds;
}

function section(value: unknown, name: string, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new ConfigError(`${name} must be an object`);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new ConfigError(`${name}.${key} is not a setting`);
  }
  return value;
}

/**
 * Applies a partial configuration (options given to `startSandbox`, or an untrusted JSON body)
 * over `base`; throws a ConfigError naming the first bad field.
 */
export function applyConfig(base: RuntimeConfig, patch: unknown): RuntimeConfig {
  const root = section(patch, 'config', ['latency', 'faults']);
  const latency = section(root.latency, 'latency', ['fixedMs', 'jitterMs']);
  const faults = section(root.faults, 'faults', ['rate', 'kinds', 'next', 'hangMs']);
  const pick = <T>(value: unknown, fallback: T, check: (v: unknown) => T): T =>
    value === undefined ? fallback : check(value);
  return {
    latency: {
      fixedMs: pick(latency.fixedMs, base.latency.fixedMs, (v) =>
        checkNumber(v, 'latency.fixedMs', { max: MAX_DELAY_MS }),
      ),
      jitterMs: pick(latency.jitterMs, base.latency.jitterMs, (v) =>
        checkNumber(v, 'latency.jitterMs', { max: MAX_DELAY_MS }),
      ),
    },
    faults: {
      rate: pick(faults.rate, base.faults.rate, (v) => checkNumber(v, 'faults.rate', { max: 1 })),
      kinds: pick(faults.kinds, base.faults.kinds, (v) => checkKinds(v, 'faults.kinds')),
      next: pick(faults.next, base.faults.next, (v) =>
        checkNumber(v, 'faults.next', { max: Number.MAX_SAFE_INTEGER, integer: true }),
      ),
      hangMs: pick(faults.hangMs, base.faults.hangMs, (v) =>
        checkNumber(v, 'faults.hangMs', { max: MAX_DELAY_MS, integer: true }),
      ),
    },
  };
}

export const DEFAULT_CONFIG: RuntimeConfig = {
  latency: { fixedMs: 0, jitterMs: 0 },
  faults: { rate: 0, kinds: [...FAULT_KINDS], next: 0, hangMs: 30_000 },
};

/** The run-time configuration an options object asks for. */
export function configFromOptions(options: SandboxOptions): RuntimeConfig {
  return applyConfig(DEFAULT_CONFIG, { latency: options.latency, faults: options.faults });
}

/** A deep copy, so the state kept for `/_sandbox/reset` is never mutated. */
export function copyConfig(config: RuntimeConfig): RuntimeConfig {
  return {
    latency: { ...config.latency },
    faults: { ...config.faults, kinds: [...config.faults.kinds] },
  };
}
