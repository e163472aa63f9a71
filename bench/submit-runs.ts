import type { TestDaemon } from '../test/helpers/daemon.js';

/** Topics the cluster benches give their runs, numbered so that no two runs share a topic (no cached replay). */
const TOPICS = ['Arduino boards', 'Raspberry Pi clusters', 'RISC-V chips', 'Rust embedded', 'Zigbee sensors'];

/** Submits `count` research runs to `daemon` over its API and returns their ids, in order. */
export async function submitRuns(daemon: TestDaemon, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const topic = `${TOPICS[index % TOPICS.length]} ${index + 1}`;
    const { status, body } = await daemon.request<{ id: string }>('POST', '/v1/runs', { topic });
    if (status !== 202) throw new Error(`submitting a run answered ${status}`);
    ids.push(body.id);
  }
  return ids;
}
