import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN_CANDIDATES = ['../../bin/agentd.js', '../../../bin/agentd.js'].map((relative) =>
  fileURLToPath(new URL(relative, import.meta.url)),
);
/** The real, built CLI, as a user runs it (found from test/helpers, or from dist/test/helpers for benchmarks). */
export const BIN = BIN_CANDIDATES.find((candidate) => existsSync(candidate)) ?? (BIN_CANDIDATES[0] as string);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `agentd ...args` in a child process and collects its output. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...cleanEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment without the user's agentd and provider settings, so tests never touch real config. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['AGENTD_CONFIG', 'AGENTD_TOKEN', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OLLAMA_HOST'])
    delete env[name];
  return env;
}
