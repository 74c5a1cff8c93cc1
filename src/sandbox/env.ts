/** Sandbox options from environment variables, checked once at start-up. */
import {
  applyConfig,
  ConfigError,
  DEFAULT_CONFIG,
  FAULT_KINDS,
  type FaultKind,
  type SandboxOptions,
} from './config.ts';

const DEFAULT_PORT = 12111;

function fail(name: string, expected: string, value: string): never {
  throw new Error(`${name} must be ${expected} (got ${JSON.stringify(value)})`);
}

function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function number(env: NodeJS.ProcessEnv, name: string, integer: boolean): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const pattern = integer ? /^\d+$/ : /^\d+(\.\d+)?$|^\.\d+$/;
  if (!pattern.test(raw)) fail(name, integer ? 'a whole number' : 'a number', raw);
  return Number(raw);
}

function kinds(env: NodeJS.ProcessEnv, name: string): FaultKind[] | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const out: FaultKind[] = [];
  for (const part of raw.split(',')) {
    const kind = FAULT_KINDS.find((candidate) => candidate === part.trim());
    if (!kind) fail(name, `a comma list of ${FAULT_KINDS.join(', ')}`, raw);
    out.push(kind);
  }
  return out;
}

/** Maps the config field a ConfigError names back to the variable that set it. */
const VARIABLE_OF: Readonly<Record<string, string>> = {
  'latency.fixedMs': 'SANDBOX_LATENCY_MS',
  'latency.jitterMs': 'SANDBOX_JITTER_MS',
  'faults.rate': 'SANDBOX_FAULT_RATE',
  'faults.kinds': 'SANDBOX_FAULT_KINDS',
  'faults.next': 'SANDBOX_FAULT_NEXT',
  'faults.hangMs': 'SANDBOX_HANG_MS',
};

/**
 * Reads SANDBOX_HOST, SANDBOX_PORT (default 12111), SANDBOX_DB_FILE, SANDBOX_LATENCY_MS,
 * SANDBOX_JITTER_MS, SANDBOX_FAULT_RATE, SANDBOX_FAULT_KINDS (comma list), SANDBOX_FAULT_NEXT,
 * SANDBOX_HANG_MS and SANDBOX_LOG (`true`/`1`); throws an Error naming the variable on a bad value.
 */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxOptions {
  const port = number(env, 'SANDBOX_PORT', true) ?? DEFAULT_PORT;
  if (port > 65535) fail('SANDBOX_PORT', 'a port number from 0 to 65535', String(port));
  const logRaw = read(env, 'SANDBOX_LOG');
  if (logRaw !== undefined && !['true', 'false', '1', '0'].includes(logRaw)) {
    fail('SANDBOX_LOG', 'true, false, 1 or 0', logRaw);
  }

  const options: SandboxOptions = {
    host: read(env, 'SANDBOX_HOST') ?? '127.0.0.1',
    port,
    latency: {
      fixedMs: number(env, 'SANDBOX_LATENCY_MS', false),
      jitterMs: number(env, 'SANDBOX_JITTER_MS', false),
    },
    faults: {
      rate: number(env, 'SANDBOX_FAULT_RATE', false),
      kinds: kinds(env, 'SANDBOX_FAULT_KINDS'),
      next: number(env, 'SANDBOX_FAULT_NEXT', true),
      hangMs: number(env, 'SANDBOX_HANG_MS', true),
    },
    log: logRaw === 'true' || logRaw === '1',
  };
  const file = read(env, 'SANDBOX_DB_FILE');
  if (file !== undefined) options.databaseFile = file;

  // Range checks are the same as for options given in code; name the variable, not the field.
  try {
    applyConfig(DEFAULT_CONFIG, { latency: options.latency, faults: options.faults });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const field = Object.keys(VARIABLE_OF).find((key) => error.message.startsWith(key));
    const variable = field === undefined ? 'a SANDBOX_ variable' : VARIABLE_OF[field];
    throw new Error(`${variable}: ${error.message}`);
  }
  return options;
}
