import { forTerminal } from './terminal-text.js';

/** Where CLI commands write: injected so tests can capture it. The CLI is the one place that prints. */
export interface Output {
  out(text: string): void;
  error(text: string): void;
}

/** Writes to standard output and error, without the escape sequences web-derived text may carry. */
export const processOutput: Output = {
  out: (text) => process.stdout.write(withNewline(forTerminal(text))),
  error: (text) => process.stderr.write(withNewline(forTerminal(text))),
};

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Exit codes: 0 success, 1 failure or invalid input, 2 usage error, 3 daemon not running. */
export const ExitCode = { ok: 0, failure: 1, usage: 2, notRunning: 3 } as const;
