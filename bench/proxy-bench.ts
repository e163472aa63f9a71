import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { postChat, TOKEN } from './proxy-request.js';
import { percentile } from './stats.js';

/**
 * `npm run bench:proxy`: what agentd adds to a call. A zero-latency OpenAI-compatible server answers every
 * chat completion at once (`proxy-upstream.ts`); the same open-loop load (requests sent on a fixed schedule,
 * whatever the answers do) goes to it directly, through a bare Node.js proxy (`proxy-floor.ts`: the least any
 * Node proxy does) and through agentd (its own process, `proxy-daemon.ts`), in one run. Reports added latency
 * p50/p99 at 500 requests/s, the CPU each proxy spends per request, and for each of the three the highest rate
 * it sustains with p99 under 50 ms (each target warmed again first; each rate measured after it has run a while,
 * with the p99 of that step up printed beside), and last agentd's p50/p99 after a minute idle. Upstream, proxies
 * and load generator are separate processes on the same cores, so the floor says what this machine allows any
 * proxy, whatever agentd does.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
/**
 * Load each target gets at 300 requests/s before anything is measured. The daemon needs more than a second or
 * two: after 2 s of load its scavenges still promote what loading jsdom and the SDKs left (`--trace-gc`), and
 * its JIT is still compiling the call path. A long-running daemon serves in the steady state after that.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
/**
 * How long agentd is left idle before the last measure, 1,000 requests/s on a daemon that has had nothing to do:
 * its first seconds of load after a minute's rest are slower than its steady state (the JIT's work is partly
 * undone while it rests), so the throughput series warms each target again and this measure shows the cost.
 */
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
/** How long each rate of the throughput series runs before it is measured (see `highestRate`). */
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 2);

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
function startProcess(script: string, args: string[], nodeFlags: string[] = []): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...nodeFlags, fileURLToPath(new URL(script, import.meta.url)), ...args], {
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
    postChat(port, path, agent, (incoming) => {
      if (incoming?.statusCode === 200) {
        phase.latencies.push(performance.now() - sentAt);
        const overhead = incoming.headers['x-agentd-overhead-ms'];
        if (typeof overhead === 'string') phase.overheads.push(Number(overhead));
      } else phase.failed += 1;
      resolve();
    });
  });
}

/** The first seconds of a load, timed apart: sent on the same schedule without a pause, but not measured. */
interface StepUp {
  seconds: number;
  phase: Phase;
  /** Called once, when the schedule passes the step up and the measure starts. */
  measureStarts: () => void;
}

const emptyPhase = (rate: number): Phase => ({ rate, sent: 0, failed: 0, latencies: [], overheads: [] });

/**
 * Sends `rate` requests per second for `seconds` to port+path, on a schedule, and times every answer. On a client
 * agent of its own unless given one to keep (its connections stay open for the next load). With `stepUp`, the
 * schedule starts `stepUp.seconds` earlier and the answers to those first requests are timed into its phase.
 */
async function load(
  port: number,
  path: string,
  rate: number,
  seconds: number,
  options: { agent?: Agent; stepUp?: StepUp } = {},
): Promise<Phase> {
  const { agent = clientAgent(), stepUp } = options;
  const phase = emptyPhase(rate);
  const unmeasured = stepUp ? Math.round(rate * stepUp.seconds) : 0;
  const total = unmeasured + Math.round(rate * seconds);
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  let sent = 0;
  while (sent < total) {
    // Open loop: catch up on the schedule in batches, so a slow answer never delays the next request.
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; sent < due; sent += 1) {
      if (sent === unmeasured) stepUp?.measureStarts();
      const timed = stepUp && sent < unmeasured ? stepUp.phase : phase;
      pending.push(timedRequest(port, path, agent, timed));
      timed.sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  if (!options.agent) agent.destroy();
  return phase;
}

const clientAgent = () => new Agent({ keepAlive: true, maxSockets: 256 });

const format = (value: number) => value.toFixed(2);

/** One request at a time: the added latency without any queueing in the load generator or the daemon. */
async function sequential(port: number, count: number): Promise<Phase> {
  const phase = emptyPhase(0);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (; phase.sent < count; phase.sent += 1) await timedRequest(port, '/v1/chat/completions', agent, phase);
  agent.destroy();
  return phase;
}

/** Runs `phase` and adds the CPU time the proxy (agentd or the floor) and the upstream used per answered request. */
async function measured(
  proxy: BenchProcess,
  server: BenchProcess,
  phase: () => Promise<Phase>,
): Promise<Phase & { proxyCpuMs: number; upstreamCpuMs: number }> {
  const before = [await proxy.cpuMs(), await server.cpuMs()];
  const result = await phase();
  const after = [await proxy.cpuMs(), await server.cpuMs()];
  const answered = Math.max(1, result.latencies.length);
  return {
    ...result,
    proxyCpuMs: ((after[0] ?? 0) - (before[0] ?? 0)) / answered,
    upstreamCpuMs: ((after[1] ?? 0) - (before[1] ?? 0)) / answered,
  };
}

/** The markdown table comparing the direct, the floor's and agentd's latencies, and the header's view. */
function comparison(direct: Phase, floor: Phase, proxied: Phase): string {
  const row = (label: string, p50: number, p99: number) => `| ${label} | ${format(p50)} | ${format(p99)} |\n`;
  const at = (phase: Phase, p: number) => percentile(phase.latencies, p);
  return (
    '| | p50 ms | p99 ms |\n|---|---|---|\n' +
    row('direct to the upstream', at(direct, 50), at(direct, 99)) +
    row('through a bare Node proxy (the floor)', at(floor, 50), at(floor, 99)) +
    row('through agentd', at(proxied, 50), at(proxied, 99)) +
    row('**added by agentd**', at(proxied, 50) - at(direct, 50), at(proxied, 99) - at(direct, 99)) +
    row('added by the bare proxy', at(floor, 50) - at(direct, 50), at(floor, 99) - at(direct, 99)) +
    row('x-agentd-overhead-ms header', percentile(proxied.overheads, 50), percentile(proxied.overheads, 99))
  );
}

/**
 * Rising open-loop rates to `port` until p99 passes 50 ms or a request fails; prints a row per rate. Each rate is
 * first sent for STEP_SECONDS unmeasured, then measured for SECONDS on the same schedule without a pause, as wrk2
 * calibrates before it measures, on client connections kept through the series (a client sending at a steady
 * rate keeps its connections): the throughput is the rate each target sustains. The step up from the slower rate
 * is printed beside it, not hidden: its p99 is what a burst costs a target that was running slower, and a queue
 * it leaves is still there when the measure starts. CPU per request is read from the measure's start.
 */
async function highestRate(label: string, port: number, proxy: BenchProcess | undefined): Promise<number> {
  const agent = clientAgent();
  // Warmed again: a target idle while the others ran its series starts slow (see IDLE_SECONDS below).
  await load(port, PATH, 300, WARMUP_SECONDS, { agent });
  let best = 0;
  for (const rate of RATES) {
    let cpuAtStart: Promise<number> | undefined;
    const stepUp: StepUp = {
      seconds: STEP_SECONDS,
      phase: emptyPhase(rate),
      measureStarts: () => {
        cpuAtStart = proxy?.cpuMs();
      },
    };
    const phase = await load(port, PATH, rate, SECONDS, { agent, stepUp });
    const cpuMs = proxy && cpuAtStart ? (await proxy.cpuMs()) - (await cpuAtStart) : undefined;
    const p99 = percentile(phase.latencies, 99);
    const failed = stepUp.phase.failed + phase.failed;
    const cpu = cpuMs === undefined ? '' : format(cpuMs / Math.max(1, phase.latencies.length));
    process.stdout.write(
      `| ${label} | ${rate} | ${format(percentile(stepUp.phase.latencies, 99))} | ${format(percentile(phase.latencies, 50))} | ${format(p99)} | ${failed} | ${cpu} |\n`,
    );
    if (p99 < 50 && failed === 0) best = rate;
    else break;
  }
  agent.destroy();
  return best;
}

const RATES = (process.env.BENCH_RATES ?? '1000,1500,2000,2500,3000,3500,4000').split(',').map(Number);
const PATH = '/v1/chat/completions';
const upstream = await startProcess('proxy-upstream.js', []);
const floor = await startProcess('proxy-floor.js', [`http://127.0.0.1:${upstream.port}/v1`]);
// To profile the daemon: BENCH_DAEMON_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (node flags for its process).
const daemonFlags = (process.env.BENCH_DAEMON_FLAGS ?? '').split(' ').filter(Boolean);
const daemon = await startProcess('proxy-daemon.js', [`http://127.0.0.1:${upstream.port}/v1`, TOKEN], daemonFlags);
try {
  for (const port of [daemon.port, floor.port, upstream.port]) await load(port, PATH, 300, WARMUP_SECONDS);
  const directOne = await sequential(upstream.port, 1000);
  const floorOne = await sequential(floor.port, 1000);
  const proxiedOne = await sequential(daemon.port, 1000);
  process.stdout.write(`One request at a time (1,000 each way):\n\n${comparison(directOne, floorOne, proxiedOne)}\n`);
  const direct = await load(upstream.port, PATH, 500, SECONDS);
  const floored = await measured(floor, upstream, () => load(floor.port, PATH, 500, SECONDS));
  const proxied = await measured(daemon, upstream, () => load(daemon.port, PATH, 500, SECONDS));
  const failed = direct.failed + floored.failed + proxied.failed;
  process.stdout.write(`At 500 requests/s for ${SECONDS} s (${proxied.sent} requests each way, ${failed} failed):\n\n`);
  process.stdout.write(`${comparison(direct, floored, proxied)}\n`);
  process.stdout.write(
    `CPU time per request at 500 requests/s: agentd ${format(proxied.proxyCpuMs)} ms, the bare proxy ${format(floored.proxyCpuMs)} ms, the upstream ${format(proxied.upstreamCpuMs)} ms\n\n`,
  );

  process.stdout.write(
    `Throughput, ${SECONDS} s per rate measured after ${STEP_SECONDS} s at it, without a pause (the highest with p99 < 50 ms and no failure wins):\n\n| to | requests/s | p99 ms of the step up | p50 ms | p99 ms | failed | proxy CPU ms per request |\n|---|---|---|---|---|---|---|\n`,
  );
  const best = {
    direct: await highestRate('the upstream, directly', upstream.port, undefined),
    floor: await highestRate('the bare proxy', floor.port, floor),
    agentd: await highestRate('agentd', daemon.port, daemon),
  };
  process.stdout.write(
    `\nHighest rate with p99 < 50 ms: agentd ${best.agentd} requests/s; the bare Node proxy ${best.floor}; the upstream alone ${best.direct}\n`,
  );
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const rested = await load(daemon.port, PATH, 1000, SECONDS);
  process.stdout.write(
    `\nagentd after ${IDLE_SECONDS} s idle, 1,000 requests/s for ${SECONDS} s: p50 ${format(percentile(rested.latencies, 50))} ms, p99 ${format(percentile(rested.latencies, 99))} ms, ${rested.failed} failed\n`,
  );
} finally {
  await daemon.stop();
  await floor.stop();
  await upstream.stop();
}
