import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readDaemonState } from '../../src/daemon/state-files.js';
import type { RunEvent } from '../../src/types/run-events.js';
import type { Run } from '../../src/types/run-record.js';
import { type ClusterMember, clusterMemberConfig, startClusterMember, submitRun } from '../helpers/cluster-member.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { startFixtureWeb, type FixtureWeb } from '../helpers/fixture-web.js';
import { redisMissingMessage, redisServerPath, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { type ScriptedLlm, startScriptedLlm } from '../helpers/scripted-llm.js';
import { auth, TEST_TOKEN } from '../helpers/services.js';
import { until } from '../helpers/until.js';

if (!redisServerPath) console.warn(redisMissingMessage);

describe.skipIf(!redisServerPath)('cluster mode: one run queue for every member', () => {
  let redis: TestRedis;
  let llm: ScriptedLlm;
  let web: FixtureWeb;
  const cleanups: Array<() => Promise<void> | void> = [];
  type Member = ClusterMember;
  const memberConfig = (prefix: string) => clusterMemberConfig({ llm, web, redisUrl: redis.url, prefix });
  async function startMember(prefix: string): Promise<Member> {
    const member = await startClusterMember(memberConfig(prefix));
    cleanups.push(member.close);
    return member;
  }

  const getRun = async (url: string, id: string) =>
    (await (await fetch(`${url}/v1/runs/${id}`, { headers: auth })).json()) as Run;

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

  it('executes a run submitted to a full member on another; every member shows, follows and cancels it', async () => {
    const first = await startMember('queue-test');
    const second = await startMember('queue-test');
    const release = llm.hold('KeywordExtract');
    const ids = [await submitRun(first.url, 'Arduino boards', ['extractor'])];
    ids.push(await submitRun(first.url, 'Arduino shields', ['extractor']));

    // Two runs, one slot per member: both run at once, one on each member.
    const running = await until('both runs running', async () => {
      const runs = await Promise.all(ids.map((id) => getRun(second.url, id)));
      return runs.every((run) => run.status === 'running') ? runs : undefined;
    });
    const memberIds = [first.services.cluster?.memberId, second.services.cluster?.memberId];
    expect(running.map((run) => run.member).sort()).toEqual([...memberIds].sort());

    // The second member follows a run the first executes, from its first event to its end.
    const onFirst = running.find((run) => run.member === memberIds[0]) as Run;
    const events: RunEvent[] = [];
    const socket = new WebSocket(
      `${second.url.replace('http', 'ws')}/v1/runs/${onFirst.id}/events?token=${TEST_TOKEN}`,
    );
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as RunEvent));
    await new Promise((resolve) => socket.once('open', resolve));
    release();

    expect(await closed).toBe(1000);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.type).toBe('run-queued');
    expect(events.at(-1)?.type).toBe('run-completed');
    for (const id of ids)
      await until(`run ${id} completed`, async () =>
        (await getRun(first.url, id)).status === 'completed' ? true : undefined,
      );
    const listed = (await (await fetch(`${second.url}/v1/runs`, { headers: auth })).json()) as { runs: Run[] };
    expect(listed.runs.map((run) => run.id).sort()).toEqual([...ids].sort());
    // Each run's usage is the calls made for it, wherever they were made.
    expect((await getRun(second.url, onFirst.id)).usage.calls).toBe(1);

    // A cancel sent to one member reaches the member executing the run.
    const release2 = llm.hold('KeywordExtract');
    const third = await submitRun(first.url, 'Arduino sensors', ['extractor']);
    const executing = await until('the third run running', async () => {
      const run = await getRun(first.url, third);
      return run.status === 'running' ? run : undefined;
    });
    const other = executing.member === memberIds[0] ? second : first;
    const cancelled = await fetch(`${other.url}/v1/runs/${third}/cancel`, { method: 'POST', headers: auth });
    expect(((await cancelled.json()) as Run).status).toBe('cancelled');
    release2();
    await first.close();
    await second.close();
  });

  it('resumes the run of a member killed mid-run on another member, paying again only for the call in flight', async () => {
    const prefix = 'kill-test';
    const doomed: TestDaemon = await startTestDaemon(memberConfig(prefix));
    cleanups.push(() => doomed.stop());
    const holdWiki = llm.hold('Wiki');
    const before = llm.calls.length;
    const { body } = await doomed.request<{ id: string }>('POST', '/v1/runs', {
      topic: 'Arduino',
      team: ['extractor', 'wiki'],
    });
    const id = body.id;
    // The keywords are stored (the wiki step builds on them) and the wiki summary is in flight.
    await until('the wiki call', () =>
      llm.calls.slice(before).some((call) => call.action === 'Wiki') ? true : undefined,
    );
    const victim = (await doomed.request<Run>('GET', `/v1/runs/${id}`)).body.member;
    process.kill(readDaemonState(doomed.dataDir)?.pid as number, 'SIGKILL');

    const survivor = await startMember(prefix);
    holdWiki();
    const run = await until('the run resumed and completed', async () => {
      const current = await survivor.services.runs.get(id);
      return current.status === 'completed' ? current : undefined;
    });
    expect(run.member).toBe(survivor.services.cluster?.memberId);
    expect(run.member).not.toBe(victim);
    const calls = llm.calls.slice(before).map((call) => call.action);
    expect(calls.filter((action) => action === 'KeywordExtract')).toHaveLength(1);
    expect(calls.filter((action) => action === 'Wiki')).toHaveLength(2);
    // The record changes in memory a moment before the terminal event is stored.
    const events = await until('the terminal event', async () => {
      const stored = await survivor.services.events.replay(id);
      return stored.at(-1)?.type === 'run-completed' ? stored : undefined;
    });
    expect(
      events.find((event) => event.type === 'run-queued' && event.data.after === 'member-lost')?.data,
    ).toMatchObject({ resumed: true, member: victim });
    // The keywords (and the wiki lookup made before the kill) come from the stored steps.
    const last = events.at(-1);
    expect(last?.type === 'run-completed' ? last.data.replayedSteps : 0).toBeGreaterThanOrEqual(1);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it('writes only the record of a run whose member died after its terminal event, and does not execute it again', async () => {
    const prefix = 'ended-test';
    const member = await startMember(prefix);
    const id = await submitRun(member.url, 'Arduino', ['extractor']);
    const finished = await until('the run completed, its terminal event stored', async () => {
      const events = await member.services.events.replay(id);
      return events.at(-1)?.type === 'run-completed' ? await member.services.store.runs.get(id) : undefined;
    });
    expect(finished.status).toBe('completed');
    // What a member killed between the event and the record leaves: the record still says `running`, and the
    // run comes back through the queue once its lease expires.
    const stale = structuredClone(finished);
    stale.status = 'running';
    delete stale.finishedAt;
    await member.services.store.runs.save(stale);
    const eventsBefore = await member.services.events.replay(id);
    const callsBefore = llm.calls.length;
    const client = new Redis(redis.url);
    try {
      await client.multi().rpush(`${prefix}:queue`, id).publish(`${prefix}:queue-wake`, id).exec();
    } finally {
      client.disconnect();
    }
    const recovered = await until('the record written from the terminal event', async () => {
      const run = await member.services.store.runs.get(id);
      return run.status === 'running' ? undefined : run;
    });
    expect(recovered).toMatchObject({ status: 'completed', finishedAt: eventsBefore.at(-1)?.at });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await member.services.events.replay(id)).toEqual(eventsBefore);
    expect(llm.calls.length).toBe(callsBefore);
  });
});
