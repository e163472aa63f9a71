import { request } from 'node:http';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/daemon/services.js';
import type { LedgerEntry } from '../../src/gateway/cost-ledger.js';
import { buildTestApp, TEST_TOKEN } from '../helpers/services.js';
import { listeningOpenAIClient } from '../helpers/sdk-client.js';
import { sendJson, sendSse, startWireServer, type WireServer } from '../helpers/wire-server.js';

/** A promise the test resolves: an upstream answer held until then. */
function newGate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const WAIT = { timeout: 10_000, interval: 20 };

/** The route over a real listening socket: inject() has no socket, and a hang-up detector that fired on every real request passed all inject tests. */
describe('POST /v1/chat/completions over a real socket', () => {
  let upstream: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let client: OpenAI;
  /** Every ledger line written, as the gateway records them. */
  const ledger: LedgerEntry[] = [];
  /** The daemon's log lines at `info` and above. */
  const logLines: Array<{ msg: string; reqId?: string; req?: { url: string } }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  let upstreamGone: Promise<void>;
  let markUpstreamGone: () => void;
  let streamGone: Promise<void>;
  let markStreamGone: () => void;
  /** Held answers: a request saying 'gated' is answered when the test opens the gate. */
  let gate = newGate();

  beforeAll(async () => {
    upstream = await startWireServer(async (request, response) => {
      const body = request.json<{ stream?: boolean; messages: Array<{ content: string }> }>();
      const last = body.messages.at(-1)?.content;
      const prompt = typeof last === 'string' ? last : 'an image';
      if (prompt === 'hang') {
        // Never answers: the test hangs up, and the daemon must cancel this upstream call in turn.
        response.on('close', () => markUpstreamGone());
        return;
      }
      if (prompt === 'drip') {
        // One chunk, then nothing: the test hangs up mid-stream, and the daemon must cancel this stream in turn.
        response.on('close', () => markStreamGone());
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(
          `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta: { content: 'drop' }, finish_reason: null }] })}\n\n`,
        );
        return;
      }
      if (prompt === 'gated') await gate.opened;
      if (prompt === 'no such model') {
        sendJson(response, 404, {
          error: { message: 'The model `qwen` does not exist', type: 'invalid_request_error', code: 'model_not_found' },
        });
        return;
      }
      if (prompt === 'fail') {
        // A server error with a short retry hint: agentd retries it at once, then gives up.
        sendJson(response, 500, { error: { message: 'boom' } }, { 'retry-after-ms': '50' });
        return;
      }
      if (!body.stream) {
        sendJson(response, 200, {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'qwen',
          choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${prompt}` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
        });
        return;
      }
      const chunk = (delta: object, finish: string | null) => ({
        id: 'x',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'qwen',
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      sendSse(response, [
        { data: chunk({ content: 'echo: ' }, null) },
        { data: chunk({ content: String(prompt) }, 'stop') },
        {
          data: {
            id: 'x',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'qwen',
            choices: [],
            usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
          },
        },
        { data: '[DONE]' },
      ]);
    });
    upstreamGone = new Promise((resolve) => (markUpstreamGone = resolve));
    streamGone = new Promise((resolve) => (markStreamGone = resolve));
    ({ app, services, close } = await buildTestApp(
      {
        providers: {
          vllm: { type: 'openai', baseURL: `${upstream.url}/v1`, limits: { concurrency: 1 } },
          // Its own limits, for the reservation test: 10 tokens a second refill too slowly to blur the reading.
          metered: { type: 'openai', baseURL: `${upstream.url}/v1`, limits: { tpm: 600 } },
        },
        models: { default: 'vllm/qwen' },
      },
      { logger },
    ));
    client = await listeningOpenAIClient(app);
    services.gateway.ledger.subscribe((entry) => ledger.push(entry));
  });
  afterAll(async () => {
    await close();
    await upstream.close();
  });

  /** A provider's state as `GET /v1/providers` reports it. */
  async function providerState(name: string) {
    const answer = await fetch(`${client.baseURL}/providers`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    const { providers } = (await answer.json()) as {
      providers: Array<{
        name: string;
        inFlight: number;
        queued: number;
        tokensAvailable: number;
        used: { tokens: number };
      }>;
    };
    return providers.find((provider) => provider.name === name)!;
  }

  it('answers the official SDK, streamed and not', async () => {
    const completion = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]!.message.content).toBe('echo: hello');
    const stream = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'again' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: again');
  });

  it('accepts a 5 MB inline image (OpenAI takes up to 20 MB)', async () => {
    const image = `data:image/png;base64,${Buffer.alloc(3_750_000, 7).toString('base64')}`;
    expect(image.length).toBeGreaterThan(5_000_000);
    const completion = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: image } }] }],
    });
    expect(completion.choices[0]!.message.content).toBe('echo: an image');
    expect(upstream.requests.at(-1)!.body).toContain(image);
  });

  it('answers a body past server.chatBodyLimit with a 413 naming it', async () => {
    // Only the head: a declared length past the limit is refused before any of the body is read.
    const tooLarge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(`${client.baseURL}/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_TOKEN}`,
          'content-type': 'application/json',
          'content-length': String(26_214_401),
        },
      });
      outgoing.once('response', (incoming) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body += chunk));
        incoming.once('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
      });
      outgoing.once('error', reject);
      outgoing.flushHeaders();
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toEqual({
      error: {
        message: 'request body is larger than 26214400 bytes (server.chatBodyLimit)',
        type: 'invalid_request_error',
        param: null,
        code: 'AGENTD_ERR_TOO_LARGE',
      },
    });
  });

  it('cancels the upstream call, frees the limiter and counts the prompt when the client hangs up', async () => {
    const controller = new AbortController();
    const call = client.chat.completions.create(
      { model: 'vllm/qwen', messages: [{ role: 'user', content: 'hang' }] },
      { signal: controller.signal },
    );
    while (!upstream.requests.some((request) => request.body.includes('"hang"')))
      await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await upstreamGone;
    // The provider had the call and bills its prompt, though no usage came back: counted as estimated.
    await vi.waitFor(() =>
      expect(ledger.at(-1)).toMatchObject({ model: 'qwen', completionTokens: 0, estimated: true }),
    );
    expect(ledger.at(-1)!.promptTokens).toBeGreaterThan(0);
    // fastify logs a request once its answer is sent; this one never was, and still has its line.
    expect(logLines.at(-1)).toMatchObject({
      msg: 'connection closed before the answer ended',
      reqId: expect.stringMatching(/^req-/),
      req: { url: '/v1/chat/completions' },
    });
    // concurrency is 1: this call only gets through if the abandoned one gave its place back.
    const next = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'after' }],
    });
    expect(next.choices[0]!.message.content).toBe('echo: after');
  });

  it('cancels the upstream stream, frees the limiter and counts what streamed when the client hangs up mid-stream', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'vllm/qwen', messages: [{ role: 'user', content: 'drip' }], stream: true },
      { signal: controller.signal },
    );
    const received: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content ?? '';
        received.push(content);
        if (content !== '') controller.abort();
      }
    })();
    // The SDK ends an aborted stream's loop quietly, or with its abort error: either way nothing more arrives.
    await reading.catch((error: unknown) => expect(error).toBeInstanceOf(OpenAI.APIUserAbortError));
    // The role chunk, then the upstream's one chunk.
    expect(received).toEqual(['', 'drop']);
    await streamGone;
    // The prompt and what streamed, as estimates (no usage chunk came): 'drop', at 3 characters a token for a
    // compatible server, whose tokenizer agentd does not have.
    await vi.waitFor(() =>
      expect(ledger.at(-1)).toMatchObject({ model: 'qwen', completionTokens: 2, estimated: true }),
    );
    // concurrency is 1: this call only gets through if the abandoned stream gave its place back.
    const next = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'after the stream' }],
    });
    expect(next.choices[0]!.message.content).toBe('echo: after the stream');
  });

  it('puts the timing headers on every answer: JSON, a stream, an error, and the time a call queued for a limit', async () => {
    const { response: streamed } = await client.chat.completions
      .create({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'timed' }], stream: true })
      .withResponse();
    expect(streamed.headers.get('x-agentd-queue-ms')).toMatch(/^\d+$/);
    expect(streamed.headers.get('x-agentd-overhead-ms')).toMatch(/^\d+\.\d\d$/);
    const refused = await fetch(`${client.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'vllm/qwen', messages: [] }),
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-agentd-queue-ms')).toBe('0');
    expect(refused.headers.get('x-agentd-overhead-ms')).toMatch(/^\d+\.\d\d$/);
    // concurrency is 1: the second call waits for the first, held upstream, and says so.
    gate = newGate();
    const ask = (content: string) =>
      client.chat.completions.create({ model: 'vllm/qwen', messages: [{ role: 'user', content }] }).withResponse();
    const first = ask('gated');
    await vi.waitFor(async () => expect((await providerState('vllm')).inFlight).toBe(1), WAIT);
    const second = ask('queued');
    await vi.waitFor(async () => expect((await providerState('vllm')).queued).toBe(1), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 200));
    gate.open();
    expect((await first).data.choices[0]!.message.content).toBe('echo: gated');
    const queued = Number((await second).response.headers.get('x-agentd-queue-ms'));
    expect(queued).toBeGreaterThanOrEqual(200);
    // The wait is not overhead: overhead is the time outside the wait and the provider call.
    expect(Number((await second).response.headers.get('x-agentd-overhead-ms'))).toBeLessThan(queued);
  });

  it('names the model as the parameter at fault when the provider does not have it', async () => {
    const missing: unknown = await client.chat.completions
      .create({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'no such model' }] })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    const error = missing as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error.param).toBe('model');
    expect(error.message).toContain('The model `qwen` does not exist');
  });

  it("names each answer's request in x-request-id, which the openai SDK shows on its results and its errors", async () => {
    const first = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'one' }],
    });
    const { data: second, response } = await client.chat.completions
      .create({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'two' }], stream: true })
      .withResponse();
    for await (const _ of second);
    const refused: unknown = await client.chat.completions
      .create({ model: 'vllm/qwen', messages: [] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    const ids = [
      first._request_id,
      response.headers.get('x-request-id'),
      (refused as InstanceType<typeof OpenAI.APIError>).requestID,
    ];
    // The `reqId` of the daemon's log lines for each request: the daemon's start time, then a count.
    for (const id of ids) expect(id).toMatch(/^req-[0-9a-z]{8}-[0-9a-z]+$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('reserves 1,024 output tokens for a call without max_tokens while it runs, and settles to the usage after', async () => {
    gate = newGate();
    const before = await providerState('metered');
    const call = client.chat.completions.create({
      model: 'metered/qwen',
      messages: [{ role: 'user', content: 'gated' }],
    });
    await vi.waitFor(async () => expect((await providerState('metered')).inFlight).toBe(1), WAIT);
    const during = await providerState('metered');
    gate.open();
    // The prompt's estimate plus the 1,024 output tokens reserved when the client set no cap (less what the
    // bucket refilled meanwhile, 0.01 token a millisecond; past its burst of 30, the bucket goes into debt).
    const reserved = before.tokensAvailable - during.tokensAvailable;
    expect(reserved).toBeGreaterThan(1_000);
    expect(reserved).toBeLessThan(1_024 + 50);
    await call;
    // Settled to what the provider reported: 7 prompt and 2 completion tokens.
    expect((await providerState('metered')).used.tokens).toBe(9);
  });

  it("tells the SDK not to retry what agentd already retried, and counts the retries as the caller's wait", async () => {
    // The SDK's defaults: it retries a 5xx twice unless told not to.
    const retrying = new OpenAI({ baseURL: client.baseURL, apiKey: TEST_TOKEN });
    const before = upstream.requests.length;
    const failed = await retrying.chat.completions
      .create({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'fail' }] })
      .withResponse()
      .catch((error: unknown) => error as InstanceType<typeof OpenAI.APIError>);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    const error = failed as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.headers?.get('x-should-retry')).toBe('false');
    // agentd's five attempts, and no more from the SDK.
    expect(upstream.requests.length - before).toBe(5);
    // The four attempts before the last and their 50 ms pauses were waited for: queue time, not overhead.
    const queued = Number(error.headers?.get('x-agentd-queue-ms'));
    expect(queued).toBeGreaterThanOrEqual(200);
    expect(Number(error.headers?.get('x-agentd-overhead-ms'))).toBeLessThan(queued);
  });
});
