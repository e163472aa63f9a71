import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRunStore } from '../../src/cluster/cluster-run-store.js';
import { readDaemonState } from '../../src/daemon/state-files.js';
import type { Run } from '../../src/types/run-record.js';
import { type ClusterMember, clusterMemberConfig, startClusterMember, submitRun } from '../helpers/cluster-member.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { startFixtureWeb, type FixtureWeb } from '../helpers/fixture-web.js';
import { redisMissingMessage, redisServerPath, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { type ScriptedLlm, startScriptedLlm } from '../helpers/scripted-llm.js';
import { auth } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

if (!redisServerPath) console.warn(redisMissingMessage);

/** The runs of a member that leaves the cluster, on purpose or not, and what becomes of them. */
describe.skipIf(!redisServerPath)('cluster mode: runs of a member that leaves', () => {
  let redis: TestRedis;
  let llm: ScriptedLlm;
  let web: FixtureWeb;
  const cleanups: Array<() => Promise<void> | void> = [];
  type Member = ClusterMember;
  const memberConfig = (prefix: string, redisUrl = redis.url) => clusterMemberConfig({ llm, web, redisUrl, prefix });
  async function startMember(prefix: string, redisUrl?: string): Promise<Member> {
    const member = await startClusterMember(memberConfig(prefix, redisUrl));
    cleanups.push(member.close);
    return member;
  }

  /** The calls the LLM was asked since `from`, by action. */
  const callsSince = (from: number) => llm.calls.slice(from).map((call) => call.action);
  const wikiCallSince = (from: number) => () => (callsSince(from).includes('Wiki') ? true : undefined);

  beforeAll(async () => {
    redis = await startRedis();
    llm = await startScriptedLlm({ keywords: ['Arduino'] });
    web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await web?.close();
    await llm?.close();
    await redis?.stop();
  });

  it('gives the runs of a member stopped gracefully back to the queue, and another member resumes them', async () => {
    const leaving = await startMember('stop-test');
    const holdWiki = llm.hold('Wiki');
    const before = llm.calls.length;
    const id = await submitRun(leaving.url, 'Arduino', ['extractor', 'wiki']);
    await until('the wiki call', wikiCallSince(before));
    const staying = await startMember('stop-test');

    await leaving.close();
    holdWiki();
    const run = await until('the run resumed and completed', async () => {
      const current = await staying.services.runs.get(id);
      return current.status === 'completed' ? current : undefined;
    });
    expect(run.member).toBe(staying.services.cluster?.memberId);
    // The keywords come from the stored step; only the call cut by the stop is asked again.
    expect(callsSince(before).sort()).toEqual(['KeywordExtract', 'Wiki', 'Wiki']);
    const events = await until('the terminal event', async () => {
      const stored = await staying.services.events.replay(id);
      return stored.at(-1)?.type === 'run-completed' ? stored : undefined;
    });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'run-queued').map((event) => event.data.after)).toEqual([
      undefined,
      'member-stopped',
    ]);
  });

  it('stops a run whose lease ran out while Redis was unreachable, and lets none of its writes land after', async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    cleanups.push(() => proxy.close());
    const cutOff = await startMember('lost-test', `redis://127.0.0.1:${proxy.port}`);
    const holdWiki = llm.hold('Wiki');
    const before = llm.calls.length;
    const id = await submitRun(cutOff.url, 'Arduino', ['extractor', 'wiki']);
    await until('the wiki call', wikiCallSince(before));
    const other = await startMember('lost-test');

    // Cut off, the member gets its answer and tries to store it; its lease runs out meanwhile, and the other
    // member resumes the run.
    proxy.cut();
    holdWiki();
    const run = await until('the run resumed and completed on the other member', async () => {
      const current = await other.services.runs.get(id);
      return current.status === 'completed' ? current : undefined;
    });
    expect(run.member).toBe(other.services.cluster?.memberId);

    // Back in touch, what the cut-off member still had to write is refused: one execution's record only.
    proxy.restore();
    await until('the execution ended on the cut-off member', () =>
      cutOff.services.runs.activeCount === 0 ? true : undefined,
    );
    await (cutOff.services.store.runs as ClusterRunStore).eventsStored(id);
    expect(callsSince(before).sort()).toEqual(['KeywordExtract', 'Wiki', 'Wiki']);
    const events = await other.services.events.replay(id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'run-completed')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('run-completed');
    const wikiCalls = events.filter(
      (event) => event.type === 'llm-call' && event.data.action === 'WikiSearchAndSummarize',
    );
    expect(wikiCalls).toHaveLength(1);
    const steps = (await other.services.store.runs.steps(id)).entries.map((step) => step.key);
    expect(new Set(steps).size).toBe(steps.length);
    expect((await other.services.runs.get(id)).status).toBe('completed');
  });

  it('cancels the run of a member that died before its lease expired, and never resumes it', async () => {
    const doomed: TestDaemon = await startTestDaemon(memberConfig('cancel-test'));
    cleanups.push(() => doomed.stop());
    const holdWiki = llm.hold('Wiki');
    const before = llm.calls.length;
    const { body } = await doomed.request<{ id: string }>('POST', '/v1/runs', {
      topic: 'Arduino',
      team: ['extractor', 'wiki'],
    });
    await until('the wiki call', wikiCallSince(before));
    // Started before the kill: the cancel must reach the cluster within the dead member's lease (2 s), and a
    // member's start on a loaded machine can take longer than that.
    const survivor = await startMember('cancel-test');
    process.kill(readDaemonState(doomed.dataDir)?.pid as number, 'SIGKILL');

    const response = await fetch(`${survivor.url}/v1/runs/${body.id}/cancel`, { method: 'POST', headers: auth });
    expect(((await response.json()) as Run).status).toBe('cancelled');
    holdWiki();
    // Longer than a lease and a poll: a run left to the queue would have been resumed by now.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await survivor.services.runs.get(body.id)).status).toBe('cancelled');
    expect(callsSince(before)).toEqual(['KeywordExtract', 'Wiki']);
    const events = await survivor.services.events.replay(body.id);
    expect(events.at(-1)?.type).toBe('run-cancelled');
    expect(events.filter((event) => event.type === 'run-started')).toHaveLength(1);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });
});
