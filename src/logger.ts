import { createWriteStream, type WriteStream } from 'node:fs';
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
  const file = options.file ? logFileStream(options.file) : undefined;
  const logger = pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrubSecrets(line) },
    },
    file ?? process.stdout,
  );
  if (file) fileStreams.set(logger, file);
  return logger;
}

/** The log file stream of each logger that writes to one, for `closeLogger`. */
const fileStreams = new WeakMap<Logger, WriteStream>();

/** How long `closeLogger` waits for the log file to take its last lines (a stuck disk must not hold an exit). */
const CLOSE_LOG_MS = 2_000;

/**
 * Writes out what the logger's file stream still buffers and closes it; a process about to exit calls this
 * last, since `process.exit` drops whatever an `fs.WriteStream` has not written yet. Lines logged after it
 * are dropped. Standard output needs nothing.
 */
export async function closeLogger(logger: Logger): Promise<void> {
  const stream = fileStreams.get(logger);
  if (!stream) return;
  fileStreams.delete(logger);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_LOG_MS);
    // 'close' follows 'finish' once the file descriptor is closed; an errored stream emits 'close' too.
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.end();
  });
}

/**
 * The log file as a stream whose errors (a full disk, a removed folder) degrade logging instead of ending the
 * process: an 'error' event with no listener would throw. The first error is said once on standard error
 * (what `daemon.out` keeps), later lines are dropped until the stream recovers or the daemon restarts.
 */
function logFileStream(file: string): WriteStream {
  const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
  let reported = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // A line logged after `closeLogger` ended the stream is dropped on purpose: nothing to report.
    if (reported || stream.writableEnded) return;
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
