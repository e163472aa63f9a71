import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.js';

/**
 * `npm run bench:proxy`: what agentd adds to a call. A zero-latency OpenAI-compatible server answers every
 * chat completion at once (`proxy-upstream.ts`); the same open-loop load (requests sent on a fixed schedule, whatever the
 * answers do) goes to it directly and through agentd (its own process, `proxy-daemon.ts`), in one run.
 * Reports added latency p50/p99 at 500 requests/s, then the highest rate at which agentd's p99 stays under
 * 50 ms, and the x-agentd-overhead-ms header's own view. Upstream, daemon and load generator are three
 * processes, so both columns cross process boundaries (agentd's twice as many).
 */
const TOKEN = 'bench-token-0123456789abcdef';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = 2;
const BODY = JSON.stringify({ model: 'local/bench', messages: [{ role: 'user', content: 'Say hello in one word.' }] });

interface Phase {
  rate: number;
  sent: number;
  failed: number;
  latencies: number[];
  overheads: number[];
}

interface BenchProcess {
  port: number;
  /** CPU time (user + system) the process has used so far, in ms. */
  cpuMs: () => Promise<number>;
  stop: () => Promise<void>;
}

/** Starts one of the bench's processes and reads the port it prints; it reports its CPU time over IPC. */
function startProcess(script: string, args: string[]): Promise<BenchProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  // However this process ends, its children end with it.
  process.once('exit', () => child.kill('SIGTERM'));
  const cpuMs = () =>
    new Promise<number>((resolve) => {
      child.once('message', (usage: NodeJS.CpuUsage) => resolve((usage.user + usage.system) / 1000));
      child.send('cpu');
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) =>
      resolve({
        port: Number(String(data).trim()),
        cpuMs,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      }),
    );
  });
}

/** One timed request to port+path on `agent`; its latency and overhead header land in `phase`. */
function timedRequest(port: number, path: string, agent: Agent, phase: Phase): Promise<void> {
  return new Promise<void>((resolve) => {
    const sentAt = performance.now();
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TOKEN}`,
          'content-length': Buffer.byteLength(BODY),
        },
      },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () => {
          if (incoming.statusCode === 200) {
            phase.latencies.push(performance.now() - sentAt);
            const overhead = incoming.headers['x-agentd-overhead-ms'];
            if (typeof overhead === 'string') phase.overheads.push(Number(overhead));
          } else phase.failed += 1;
          resolve();
        });
      },
    );
    outgoing.on('error', () => {
      phase.failed += 1;
      resolve();
    });
    outgoing.end(BODY);
  });
}

/** Sends `rate` requests per second for `seconds` to port+path, on a schedule, and times every answer. */
async function load(port: number, path: string, rate: number, seconds: number): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const phase: Phase = { rate, sent: 0, failed: 0, latencies: [], overheads: [] };
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  while (phase.sent < total) {
    // Open loop: catch up on the schedule in batches, so a slow answer never delays the next request.
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (phase.sent < due) {
      pending.push(timedRequest(port, path, agent, phase));
      phase.sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  agent.destroy();
  return phase;
}

const format = (value: number) => value.toFixed(2);

/** One request at a time: the added latency without any queueing in the load generator or the daemon. */
async function sequential(port: number, count: number): Promise<Phase> {
  const phase: Phase = { rate: 0, sent: 0, failed: 0, latencies: [], overheads: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (; phase.sent < count; phase.sent += 1) await timedRequest(port, '/v1/chat/completions', agent, phase);
  agent.destroy();
  return phase;
}

/** Runs `phase` and adds the CPU time each process used per answered request. */
async function measured(
  processes: { daemon: BenchProcess; upstream: BenchProcess },
  phase: () => Promise<Phase>,
): Promise<Phase & { daemonCpuMs: number; upstreamCpuMs: number }> {
  const before = [await processes.daemon.cpuMs(), await processes.upstream.cpuMs()];
  const result = await phase();
  const after = [await processes.daemon.cpuMs(), await processes.upstream.cpuMs()];
  const answered = Math.max(1, result.latencies.length);
  return {
    ...result,
    daemonCpuMs: ((after[0] ?? 0) - (before[0] ?? 0)) / answered,
    upstreamCpuMs: ((after[1] ?? 0) - (before[1] ?? 0)) / answered,
  };
}

/** The markdown table comparing direct and proxied latencies, and the header's view. */
function comparison(direct: Phase, proxied: Phase): string {
  const row = (label: string, p50: number, p99: number) => `| ${label} | ${format(p50)} | ${format(p99)} |\n`;
  const at = (phase: Phase, p: number) => percentile(phase.latencies, p);
  return (
    '| | p50 ms | p99 ms |\n|---|---|---|\n' +
    row('direct to the upstream', at(direct, 50), at(direct, 99)) +
    row('through agentd', at(proxied, 50), at(proxied, 99)) +
    row('**added by agentd**', at(proxied, 50) - at(direct, 50), at(proxied, 99) - at(direct, 99)) +
    row('x-agentd-overhead-ms header', percentile(proxied.overheads, 50), percentile(proxied.overheads, 99))
  );
}

const upstream = await startProcess('proxy-upstream.js', []);
const daemon = await startProcess('proxy-daemon.js', [`http://127.0.0.1:${upstream.port}/v1`, TOKEN]);
const processes = { daemon, upstream };
const PATH = '/v1/chat/completions';
try {
  await load(daemon.port, PATH, 300, WARMUP_SECONDS);
  await load(upstream.port, PATH, 300, WARMUP_SECONDS);
  const directOne = await sequential(upstream.port, 1000);
  const proxiedOne = await measured(processes, () => sequential(daemon.port, 1000));
  process.stdout.write(`One request at a time (1,000 each way):\n\n${comparison(directOne, proxiedOne)}\n`);
  const direct = await load(upstream.port, PATH, 500, SECONDS);
  const proxied = await measured(processes, () => load(daemon.port, PATH, 500, SECONDS));
  process.stdout.write(
    `At 500 requests/s for ${SECONDS} s (${proxied.sent} requests each way, ${proxied.failed + direct.failed} failed):\n\n`,
  );
  process.stdout.write(`${comparison(direct, proxied)}\n`);
  process.stdout.write(
    `CPU time per proxied request at 500 requests/s: daemon ${format(proxied.daemonCpuMs)} ms, upstream ${format(proxied.upstreamCpuMs)} ms\n\n`,
  );

  process.stdout.write(
    `Throughput through agentd, ${SECONDS} s per rate (highest with p99 < 50 ms and no failure wins):\n\n| requests/s | p50 ms | p99 ms | failed | daemon CPU ms per request |\n|---|---|---|---|---|\n`,
  );
  let best = 0;
  for (const rate of (process.env.BENCH_RATES ?? '1000,1500,2000,2500,3000,3500,4000').split(',').map(Number)) {
    const phase = await measured(processes, () => load(daemon.port, PATH, rate, SECONDS));
    const p99 = percentile(phase.latencies, 99);
    process.stdout.write(
      `| ${rate} | ${format(percentile(phase.latencies, 50))} | ${format(p99)} | ${phase.failed} | ${format(phase.daemonCpuMs)} |\n`,
    );
    if (p99 < 50 && phase.failed === 0) best = rate;
    else break;
  }
  process.stdout.write(`\nHighest rate with p99 < 50 ms: ${best} requests/s\n`);
} finally {
  await daemon.stop();
  await upstream.stop();
}
