import { createWriteStream } from 'node:fs';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { scrubSecrets } from './secrets.js';

export type { Logger };

/** Paths pino censors structurally; `scrubSecrets` then catches any secret quoted inside a message. */
const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'headers["x-api-key"]',
  'req.headers["x-api-key"]',
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** A file to append to; standard output when absent. */
  file?: string;
}

/** The daemon's structured logger: JSON lines, secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.file ? createWriteStream(options.file, { flags: 'a', mode: 0o600 }) : process.stdout;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrubSecrets(line) },
    },
    destination,
  );
}

/** A logger that writes nothing, for library code used without a daemon (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
