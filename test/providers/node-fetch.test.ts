import { brotliCompressSync, constants, createGzip, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../../providers/http-transport.js';
import { nodeFetch } from '../../providers/node-fetch.js';
import { Cancellation, type CancelSignal } from '../../src/gateway/cancel-signal.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

const ANSWER = JSON.stringify({ answer: 'decoded', padding: 'x'.repeat(2000) });
const ENCODERS: Record<string, (data: string) => Buffer> = {
  gzip: (data) => gzipSync(data),
  br: (data) => brotliCompressSync(data),
  deflate: (data) => deflateSync(data),
  'raw deflate': (data) => deflateRawSync(data),
  'deflate, gzip': (data) => gzipSync(deflateSync(data)),
};

/** The transport under the vendor SDKs: compressed answers and same-origin 307/308 redirects, as a provider may send. */
describe('nodeFetch', () => {
  let server: WireServer;
  let elsewhere: WireServer;
  /** Lets the streamed test's second event out. */
  let releaseSecondEvent: () => void = () => {};
  /** Resolves when the endless answer's connection closes. */
  let endlessClosed: Promise<void> = new Promise(() => {});

  beforeAll(async () => {
    elsewhere = await startWireServer((_request, response) => sendJson(response, 200, { from: 'elsewhere' }));
    server = await startWireServer((request, response) => {
      const url = new URL(request.url, 'http://x');
      const coding = url.searchParams.get('coding');
      if (coding) {
        const name = coding === 'raw deflate' ? 'deflate' : coding;
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': name });
        return void response.end(ENCODERS[coding]!(ANSWER));
      }
      if (url.pathname === '/stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
        const gzip = createGzip();
        gzip.pipe(response);
        gzip.write('data: first\n\n');
        gzip.flush(constants.Z_SYNC_FLUSH);
        releaseSecondEvent = () => gzip.end('data: second\n\n');
        return;
      }
      if (url.pathname === '/headers') return sendJson(response, 200, request.headers);
      if (url.pathname === '/who')
        return sendJson(response, 200, { authorization: request.headers.authorization ?? null });
      if (url.pathname === '/endless') {
        endlessClosed = new Promise((resolve) => response.once('close', () => resolve()));
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const timer = setInterval(() => response.write(`data: ${'x'.repeat(16_384)}\n\n`), 1);
        response.once('close', () => clearInterval(timer));
        return;
      }
      if (url.pathname === '/corrupt') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return void response.end('{"not":"gzip"}');
      }
      const redirect = /^\/(30\d)(.*)$/.exec(url.pathname);
      if (redirect) {
        response.writeHead(Number(redirect[1]), { location: redirect[2] || '/landed' });
        return void response.end('moved');
      }
      if (url.pathname === '/away') {
        response.writeHead(307, { location: `${elsewhere.url}/landed` });
        return void response.end();
      }
      if (url.pathname === '/loop') {
        response.writeHead(308, { location: '/loop' });
        return void response.end();
      }
      if (url.pathname === '/v2/chat/completions') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return void response.end(
          gzipSync(
            JSON.stringify({
              id: 'x',
              object: 'chat.completion',
              created: 1,
              model: 'm',
              choices: [
                { index: 0, message: { role: 'assistant', content: 'moved and zipped' }, finish_reason: 'stop' },
              ],
              usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
            }),
          ),
        );
      }
      if (url.pathname === '/v1/chat/completions') {
        response.writeHead(308, { location: '/v2/chat/completions' });
        return void response.end();
      }
      sendJson(response, 200, { method: request.method, path: url.pathname, body: request.body });
    });
  });
  afterAll(async () => {
    await Promise.all([server.close(), elsewhere.close()]);
  });

  it('asks for gzip, deflate and br as fetch does, unless the caller asked for something else', async () => {
    expect(await (await nodeFetch(`${server.url}/headers`)).json()).toMatchObject({
      'accept-encoding': 'gzip, deflate, br',
    });
    const identity = await nodeFetch(`${server.url}/headers`, { headers: { 'accept-encoding': 'identity' } });
    expect(await identity.json()).toMatchObject({ 'accept-encoding': 'identity' });
  });

  for (const coding of Object.keys(ENCODERS))
    it(`decodes a ${coding} body`, async () => {
      const response = await nodeFetch(`${server.url}/answer?coding=${encodeURIComponent(coding)}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(ANSWER);
    });

  it('decodes a gzip event stream as it arrives, not once it ends', async () => {
    const response = await nodeFetch(`${server.url}/stream`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    // The server sends the second event only after the first one was read: a buffering decoder would hang here.
    expect((await reader.read()).value).toBe('data: first\n\n');
    releaseSecondEvent();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += part.value;
    expect(rest).toBe('data: second\n\n');
  });

  it('closes the connection when the reader cancels the body (an aborted stream)', async () => {
    const response = await nodeFetch(`${server.url}/endless`);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await endlessClosed;
  });

  it('stops an answer mid-body when the Cancellation it was sent with aborts, and closes the connection', async () => {
    const gone = new Cancellation();
    const answer = await sendRequest(new URL(`${server.url}/endless`), { method: 'GET', headers: {}, signal: gone });
    const incoming = answer.body.stream();
    const failed = new Promise<void>((resolve) => incoming.once('close', () => resolve()));
    incoming.once('data', () => gone.abort(new Error('the client closed the connection')));
    incoming.on('error', () => {});
    await failed;
    expect(incoming.readableEnded).toBe(false);
    await endlessClosed;
  });

  it('leaves no listener on a long-lived signal once each answer has been read', async () => {
    const listening = new Set<() => void>();
    const run = new Cancellation();
    const signal: CancelSignal = {
      get aborted() {
        return run.aborted;
      },
      get reason() {
        return run.reason;
      },
      addEventListener: (type, listener) => {
        listening.add(listener);
        run.addEventListener(type, listener);
      },
      removeEventListener: (type, listener) => {
        listening.delete(listener);
        run.removeEventListener(type, listener);
      },
    };
    for (let call = 0; call < 5; call += 1) {
      const answer = await sendRequest(new URL(`${server.url}/call-${call}?q=1`), {
        method: 'GET',
        headers: {},
        signal,
      });
      const body = call % 2 === 0 ? await answer.body.bytes() : Buffer.concat(await answer.body.stream().toArray());
      expect(JSON.parse(body.toString())).toMatchObject({ path: `/call-${call}` });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(listening.size).toBe(0);
  });

  it('fails the body of a corrupt gzip answer instead of passing the bytes on', async () => {
    const response = await nodeFetch(`${server.url}/corrupt`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('follows 307 and 308 within the origin with the same method and body', async () => {
    for (const status of [307, 308]) {
      const response = await nodeFetch(`${server.url}/${status}/landed`, { method: 'POST', body: '{"a":1}' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ method: 'POST', path: '/landed', body: '{"a":1}' });
    }
  });

  it('answers a redirect to another origin, a 302, and a redirect loop as they came', async () => {
    const away = await nodeFetch(`${server.url}/away`, { method: 'POST', body: 'secret' });
    expect(away.status).toBe(307);
    expect(away.headers.get('location')).toBe(`${elsewhere.url}/landed`);
    expect(elsewhere.requests).toEqual([]);
    const found = await nodeFetch(`${server.url}/302/landed`, { method: 'POST', body: 'x' });
    expect(found.status).toBe(302);
    const before = server.requests.length;
    const loop = await nodeFetch(`${server.url}/loop`);
    expect(loop.status).toBe(308);
    expect(server.requests.length - before).toBe(6);
  });

  it('lets the openai SDK through a moved endpoint that answers gzip', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-test', fetch: nodeFetch, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]!.message.content).toBe('moved and zipped');
  });
});
