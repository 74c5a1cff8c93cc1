import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config.ts';
import { censorField, LOG_REDACT_PATHS, maskSensitive } from './redact.ts';

export interface LoggerOptions {
  level: LogLevel;
  /** Literal values never to appear in a line: the API key secrets and the Stripe key. */
  secrets: readonly string[];
  /**
   * Where lines go; default stdout, as JSON, or through pino-pretty when stdout is a terminal.
   * Tests pass a stream to capture the lines.
   */
  destination?: DestinationStream;
}

/**
 * The process's one logger: JSON lines (one object per line, fields first, a short fixed
 * message), human-readable only when a person is watching a terminal. Known secret fields are
 * redacted by name, and every finished line is passed through `maskSensitive`, so an email, a
 * card token or a key that reached a message or an error's text is masked too.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = [...options.secrets];
  const settings = {
    level: options.level,
    redact: { paths: [...LOG_REDACT_PATHS], censor: censorField },
    hooks: { streamWrite: (line: string) => maskSensitive(line, secrets) },
  };
  if (options.destination !== undefined) return pino(settings, options.destination);
  if (process.stdout.isTTY !== true) return pino(settings);
  return pino({
    ...settings,
    transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
  });
}
