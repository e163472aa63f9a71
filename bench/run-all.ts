import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: every benchmark in turn, each in a process of its own (one's heap must not weigh on the
 * next one's pauses), printing the tables recorded in docs/BENCHMARKS.md.
 */
for (const [title, script] of [
  ['Limiter', 'limiter-bench.js'],
  ['Browse', 'browse-bench.js'],
  ['Token counts', 'token-count-bench.js'],
  ['Store', 'store-bench.js'],
  ['Proxy', 'proxy-bench.js'],
] as const) {
  const output = execFileSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(`## ${title}\n\n${output}\n`);
}
