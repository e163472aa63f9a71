import { type ChildProcess, spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { postChat, TOKEN } from './proxy-request.js';

/**
 * `npm run bench:proxy-gc`: the bytes agentd's young-generation collections (scavenges) promote per proxied
 * call, a figure a loaded machine hardly distorts (it counts how long objects stay reachable, in allocation, not
 * in time). The bench's upstream and daemon (`proxy-upstream.ts`, `proxy-daemon.ts`), the daemon run with
 * `--trace-gc --trace-gc-nvp`; open-loop load at 300 requests/s for WARMUP_SECONDS (the daemon's start still
 * promotes for seconds), then at BENCH_RATE for MEASURE_SECONDS; the scavenges of the last WINDOW_SECONDS are
 * summed. `BENCH_TARGET=floor` measures the bare Node proxy (`proxy-floor.ts`) instead.
 */
const RATE = Number(process.env.BENCH_RATE ?? 500);
const WARMUP_SECONDS = 10;
const MEASURE_SECONDS = 8;
const WINDOW_SECONDS = 6;

interface Started {
  child: ChildProcess;
  port: number;
  /** Everything the process printed after its port: the GC trace. */
  output: () => string;
}

/** Starts a bench process; its port is the first line that is only a number (GC lines may come before it). */
function start(script: string, args: string[], nodeFlags: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [...nodeFlags, fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  process.once('exit', () => child.kill('SIGTERM'));
  let printed = '';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.on('data', (data: Buffer) => {
      const before = printed;
      printed += String(data);
      const port = /^(\d+)$/m.exec(printed);
      if (port && !/^\d+$/m.test(before)) resolve({ child, port: Number(port[1]), output: () => printed });
    });
  });
}

/** Sends `rate` requests a second for `seconds`, on a schedule whatever the answers do; resolves when all are answered. */
async function load(port: number, rate: number, seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Array<Promise<boolean>> = [];
  while (pending.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (pending.length < due) pending.push(call(port, agent));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const answered = await Promise.all(pending);
  agent.destroy();
  return answered.filter((ok) => !ok).length;
}

function call(port: number, agent: Agent): Promise<boolean> {
  return new Promise((resolve) =>
    postChat(port, '/v1/chat/completions', agent, (incoming) => resolve(incoming?.statusCode === 200)),
  );
}

/** The scavenges of the last `windowMs` of the trace: their count, mean pause and promoted bytes. */
function scavenges(trace: string, windowMs: number) {
  const lines = [...trace.matchAll(/\s(\d+) ms: pause=([\d.]+) .*?gc=s .*? promoted=(\d+) /g)].map((match) => ({
    at: Number(match[1]),
    pause: Number(match[2]),
    promoted: Number(match[3]),
  }));
  const last = lines.at(-1)?.at ?? 0;
  const recent = lines.filter((line) => line.at > last - windowMs);
  return {
    count: recent.length,
    pauseMs: recent.reduce((sum, line) => sum + line.pause, 0) / Math.max(1, recent.length),
    promoted: recent.reduce((sum, line) => sum + line.promoted, 0),
  };
}

const upstream = await start('proxy-upstream.js', []);
const upstreamURL = `http://127.0.0.1:${upstream.port}/v1`;
const gcFlags = ['--trace-gc', '--trace-gc-nvp'];
const target =
  process.env.BENCH_TARGET === 'floor'
    ? await start('proxy-floor.js', [upstreamURL], gcFlags)
    : await start('proxy-daemon.js', [upstreamURL, TOKEN], gcFlags);
try {
  await load(target.port, 300, WARMUP_SECONDS);
  const failed = await load(target.port, RATE, MEASURE_SECONDS);
  const found = scavenges(target.output(), WINDOW_SECONDS * 1000);
  process.stdout.write(
    `${process.env.BENCH_TARGET === 'floor' ? 'the bare Node proxy' : 'agentd'} at ${RATE} requests/s: ` +
      `${found.count} scavenges in the last ${WINDOW_SECONDS} s, mean pause ${found.pauseMs.toFixed(2)} ms, ` +
      `promoted ${(found.promoted / (WINDOW_SECONDS * RATE)).toFixed(0)} B per request (${failed} failed)\n`,
  );
} finally {
  target.child.kill('SIGTERM');
  upstream.child.kill('SIGTERM');
}
