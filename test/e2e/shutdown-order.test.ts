import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { runDaemon } from '../../src/daemon/run-daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { sendJson, startWireServer } from '../helpers/wire-server.js';

const TOKEN = 'shutdown-order-token-0123456789';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('stopping the daemon', () => {
  it('answers a request in flight when told to stop, and closes the store only after it', async () => {
    let arrived!: () => void;
    const upstreamArrived = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const upstream = await startWireServer(async (request, response) => {
      if (!request.url.endsWith('/chat/completions')) return sendJson(response, 200, { object: 'list', data: [] });
      arrived();
      await released;
      sendJson(response, 200, {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'qwen',
        choices: [{ index: 0, message: { role: 'assistant', content: 'late but whole' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
      });
    });
    cleanups.push(() => upstream.close());
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const config = parseConfig(
      {
        dataDir: temp.dir,
        server: { token: TOKEN, port: 0 },
        providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1`, apiKey: 'sk-test' } },
        models: { default: 'vllm/qwen' },
      },
      { env: {} },
    );
    const daemon = await runDaemon(config);
    cleanups.push(() => daemon.close());

    const answer = fetch(`${daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'hello' }] }),
    });
    await upstreamArrived;
    let stopped = false;
    const stopping = daemon.close().then(() => {
      stopped = true;
    });
    // The stop waits for the request: nothing has answered it yet.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);
    release();

    const response = await answer;
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message,
    ).toEqual(expect.objectContaining({ content: 'late but whole' }));
    await stopping;
    // Stopped: the pid file is gone, and the log file has its last line, written out before the close resolved.
    expect(existsSync(path.join(temp.dir, 'agentd.pid'))).toBe(false);
    const logLines = readFileSync(path.join(temp.dir, 'agentd.log'), 'utf8').trim().split('\n');
    expect((JSON.parse(logLines.at(-1) as string) as { msg: string }).msg).toBe('agentd stopped');
    // The call was recorded in the ledger: the store was still open when the request finished.
    const ledger = readFileSync(path.join(temp.dir, 'store', 'ledger.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(ledger.map((line) => JSON.parse(line) as { model: string; completionTokens: number })).toEqual([
      expect.objectContaining({ model: 'qwen', completionTokens: 3 }),
    ]);
  });

  it('takes its pid file with it when the process exits without a finished close (grace period over, a crash)', async () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const config = parseConfig(
      {
        dataDir: temp.dir,
        server: { token: TOKEN, port: 0 },
        providers: { local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' } },
      },
      { env: {} },
    );
    const before = new Set(process.listeners('exit'));
    const daemon = await runDaemon(config);
    cleanups.push(() => daemon.close());
    const pidFile = path.join(temp.dir, 'agentd.pid');
    expect(existsSync(pidFile)).toBe(true);
    // What the process runs as it exits, whatever made it exit (this test's process cannot exit to show it).
    const atExit = process.listeners('exit').filter((listener) => !before.has(listener));
    for (const listener of atExit) listener.call(process, 1);
    expect(existsSync(pidFile)).toBe(false);
    await daemon.close();
    // A finished close takes its listener away.
    expect(process.listeners('exit').filter((listener) => !before.has(listener))).toEqual([]);
  });
});
