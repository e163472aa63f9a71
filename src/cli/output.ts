/** Where CLI commands write: injected so tests can capture it. The CLI is the one place that prints. */
export interface Output {
  out(text: string): void;
  error(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  error: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Exit codes: 0 success, 1 failure or invalid input, 2 usage error, 3 daemon not running. */
export const ExitCode = { ok: 0, failure: 1, usage: 2, notRunning: 3 } as const;
