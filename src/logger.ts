import { pino, type Logger, type LevelWithSilent } from 'pino';
import { LogFile } from './log-file.js';
import { scrubSecrets } from './secrets.js';

export type { Logger };

/**
 * Paths pino censors structurally; `scrubSecrets` then removes every registered secret from the whole line,
 * at any depth. Named paths only: the wildcards `*.apiKey` and `*.token` made pino copy the first level of
 * every logged object on every line (4.9 KB for a request's line: 2% of the daemon's CPU per proxied call
 * in a profile of `npm run bench:proxy`).
 */
const REDACT_PATHS = [
  'apiKey',
  'token',
  'provider.apiKey',
  'options.apiKey',
  'config.apiKey',
  'server.token',
  'config.token',
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
  const file = options.file ? new LogFile(options.file) : undefined;
  const logger = pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrubSecrets(line) },
    },
    file ?? process.stdout,
  );
  if (file) logFiles.set(logger, file);
  return logger;
}

/** The log file of each logger that writes to one, for `closeLogger`. */
const logFiles = new WeakMap<Logger, LogFile>();

/**
 * Writes out the lines the logger's file still holds and closes it; a process about to exit calls this last.
 * Lines logged after it are dropped. Standard output needs nothing.
 */
export async function closeLogger(logger: Logger): Promise<void> {
  const file = logFiles.get(logger);
  if (!file) return;
  logFiles.delete(logger);
  file.close();
}

/** A logger that writes nothing, for library code used without a daemon (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
