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

/** Starts one of the bench's processes and reads the port it prints. */
function startProcess(script: string, args: string[]): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // However this process ends, its children end with it.
  process.once('exit', () => child.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (data: Buffer) =>
      resolve({
        port: Number(String(data).trim()),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      }),
    );
  });
}

/** Sends `rate` requests per second for `seconds` to port+path, on a schedule, and times every answer. */
async function load(port: number, path: string, rate: number, seconds: number): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const phase: Phase = { rate, sent: 0, failed: 0, latencies: [], overheads: [] };
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  const one = () =>
    new Promise<void>((resolve) => {
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
  while (phase.sent < total) {
    // Open loop: catch up on the schedule in batches, so a slow answer never delays the next request.
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (phase.sent < due) {
      pending.push(one());
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
  for (let index = 0; index < count; index += 1) {
    await new Promise<void>((resolve) => {
      const sentAt = performance.now();
      const outgoing = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/chat/completions',
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
            phase.latencies.push(performance.now() - sentAt);
            const overhead = incoming.headers['x-agentd-overhead-ms'];
            if (typeof overhead === 'string') phase.overheads.push(Number(overhead));
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
    phase.sent += 1;
  }
  agent.destroy();
  return phase;
}

const upstream = await startProcess('proxy-upstream.js', []);
const daemon = await startProcess('proxy-daemon.js', [`http://127.0.0.1:${upstream.port}/v1`, TOKEN]);
const upstreamPort = upstream.port;
try {
  await load(daemon.port, '/v1/chat/completions', 300, WARMUP_SECONDS);
  await load(upstreamPort, '/v1/chat/completions', 300, WARMUP_SECONDS);
  const directOne = await sequential(upstreamPort, 1000);
  const proxiedOne = await sequential(daemon.port, 1000);
  process.stdout.write(`One request at a time (1,000 each way):\n\n| | p50 ms | p99 ms |\n|---|---|---|\n`);
  process.stdout.write(
    `| direct to the upstream | ${format(percentile(directOne.latencies, 50))} | ${format(percentile(directOne.latencies, 99))} |\n`,
  );
  process.stdout.write(
    `| through agentd | ${format(percentile(proxiedOne.latencies, 50))} | ${format(percentile(proxiedOne.latencies, 99))} |\n`,
  );
  process.stdout.write(
    `| **added by agentd** | **${format(percentile(proxiedOne.latencies, 50) - percentile(directOne.latencies, 50))}** | **${format(percentile(proxiedOne.latencies, 99) - percentile(directOne.latencies, 99))}** |\n`,
  );
  process.stdout.write(
    `| x-agentd-overhead-ms header | ${format(percentile(proxiedOne.overheads, 50))} | ${format(percentile(proxiedOne.overheads, 99))} |\n\n`,
  );
  const direct = await load(upstreamPort, '/v1/chat/completions', 500, SECONDS);
  const proxied = await load(daemon.port, '/v1/chat/completions', 500, SECONDS);
  process.stdout.write(
    `At 500 requests/s for ${SECONDS} s (${proxied.sent} requests each way, ${proxied.failed + direct.failed} failed):\n\n`,
  );
  process.stdout.write('| | p50 ms | p99 ms |\n|---|---|---|\n');
  process.stdout.write(
    `| direct to the upstream | ${format(percentile(direct.latencies, 50))} | ${format(percentile(direct.latencies, 99))} |\n`,
  );
  process.stdout.write(
    `| through agentd | ${format(percentile(proxied.latencies, 50))} | ${format(percentile(proxied.latencies, 99))} |\n`,
  );
  process.stdout.write(
    `| **added by agentd** | **${format(percentile(proxied.latencies, 50) - percentile(direct.latencies, 50))}** | **${format(percentile(proxied.latencies, 99) - percentile(direct.latencies, 99))}** |\n`,
  );
  process.stdout.write(
    `| x-agentd-overhead-ms header | ${format(percentile(proxied.overheads, 50))} | ${format(percentile(proxied.overheads, 99))} |\n\n`,
  );

  process.stdout.write(
    `Throughput through agentd, ${SECONDS} s per rate (highest with p99 < 50 ms and no failure wins):\n\n| requests/s | p50 ms | p99 ms | failed |\n|---|---|---|---|\n`,
  );
  let best = 0;
  for (const rate of (process.env.BENCH_RATES ?? '1000,1500,2000,2500,3000,3500,4000').split(',').map(Number)) {
    const phase = await load(daemon.port, '/v1/chat/completions', rate, SECONDS);
    const p99 = percentile(phase.latencies, 99);
    process.stdout.write(
      `| ${rate} | ${format(percentile(phase.latencies, 50))} | ${format(p99)} | ${phase.failed} |\n`,
    );
    if (p99 < 50 && phase.failed === 0) best = rate;
    else break;
  }
  process.stdout.write(`\nHighest rate with p99 < 50 ms: ${best} requests/s\n`);
} finally {
  await daemon.stop();
  await upstream.stop();
}
