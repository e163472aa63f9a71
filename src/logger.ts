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
  const destination = options.file ? logFileStream(options.file) : process.stdout;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrubSecrets(line) },
    },
    destination,
  );
}

/**
 * The log file as a stream whose errors (a full disk, a removed folder) degrade logging instead of ending the
 * process: an 'error' event with no listener would throw. The first error is said once on standard error
 * (what `daemon.out` keeps), later lines are dropped until the stream recovers or the daemon restarts.
 */
function logFileStream(file: string): NodeJS.WritableStream {
  const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
  let reported = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (reported) return;
    reported = true;
    process.stderr.write(
      `agentd: cannot write the log file ${file}: ${error.code ?? error.message}; logging is degraded\n`,
    );
  });
  return stream;
}

/** A logger that writes nothing, for library code used without a daemon (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
