import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auth, buildTestApp, TEST_TOKEN } from '../helpers/services.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';

/** Sends raw bytes and returns the raw answer: for requests no HTTP client would send. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const BROWSER_APP = 'http://localhost:5173';

describe('errors in OpenAI shape, and CORS, over a real socket', () => {
  let upstream: WireServer;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let port: number;

  beforeAll(async () => {
    // Starts a stream, then drops the connection half-way.
    upstream = await startWireServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'half' }, finish_reason: null }] })}\n\n`,
      );
      setTimeout(() => response.socket?.destroy(), 20);
    });
    ({ app, close } = await buildTestApp({
      providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1` } },
      models: { default: 'vllm/m' },
      server: { token: TEST_TOKEN, cors: { origins: [BROWSER_APP] } },
    }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await close();
    await upstream.close();
  });

  it('ends a stream that fails mid-way with an error event saying what happened', async () => {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'vllm/m',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(text).toBe('half');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain(
      'provider "vllm" failed after the stream started',
    );
    // The connection was made, then dropped: not "cannot connect".
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('connection lost: other side closed');
  });

  it('answers bad URL encoding, a too long URL and too large headers in the API error shape', async () => {
    const badEncoding = await rawExchange(
      port,
      `GET /v1/models/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(badEncoding).toMatch(/^HTTP\/1.1 400/);
    expect(JSON.parse(badEncoding.slice(badEncoding.indexOf('\r\n\r\n') + 4)).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'AGENTD_ERR_BAD_REQUEST',
      param: null,
    });
    const longUrl = await rawExchange(port, `GET /v1/models/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(longUrl).toMatch(/^HTTP\/1.1 414/);
    expect(longUrl).toContain('"code":"AGENTD_ERR_TOO_LARGE"');
    const bigHeaders = await rawExchange(
      port,
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expect(bigHeaders).toMatch(/^HTTP\/1.1 431/);
    expect(bigHeaders).toContain('"message":"the request headers are too large"');
    // Every answer carries the timing headers, these written by agentd straight to the socket too.
    for (const answer of [badEncoding, longUrl, bigHeaders]) {
      expect(answer).toMatch(/\r\nx-agentd-queue-ms: 0\r\n/i);
      expect(answer).toMatch(/\r\nx-agentd-overhead-ms: [\d.]+\r\n/i);
    }
  });

  it('answers a preflight from a configured origin before auth, and refuses other origins as before', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/chat/completions',
      headers: {
        origin: BROWSER_APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-stainless-os',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': BROWSER_APP,
      'access-control-allow-headers': 'authorization, content-type, x-stainless-os',
    });
    const allowed = await app.inject({ url: '/v1/models', headers: { ...auth, origin: BROWSER_APP } });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(BROWSER_APP);
    const withoutToken = await app.inject({ url: '/v1/models', headers: { origin: BROWSER_APP } });
    expect(withoutToken.statusCode).toBe(401);
    const other = await app.inject({
      method: 'OPTIONS',
      url: '/v1/chat/completions',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.statusCode).toBe(403);
    expect(other.headers).not.toHaveProperty('access-control-allow-origin');
  });

  it('lets a browser-style fetch through CORS on the real socket', async () => {
    const response = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'OPTIONS',
          path: '/v1/models',
          headers: { origin: BROWSER_APP, 'access-control-request-method': 'GET' },
        },
        (incoming) => {
          incoming.resume();
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers });
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(BROWSER_APP);
    // The request itself, as a browser's fetch sends it: its answer lets the page read the request id.
    const answer = await fetch(`http://127.0.0.1:${port}/v1/models`, {
      headers: { origin: BROWSER_APP, authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-expose-headers')?.split(', ')).toContain('x-request-id');
    expect(answer.headers.get('x-request-id')).toMatch(/^req-/);
  });

  it('refuses other loopback origins with a 403 before auth on the real socket, preflights included, and accepts its own', async () => {
    const base = `http://127.0.0.1:${port}`;
    const others = [
      'http://localhost:3000',
      'http://127.0.0.1:8080',
      `https://localhost:${port}`,
      `http://localhost:${port}`,
    ];
    for (const origin of others) {
      const plain = await fetch(`${base}/v1/runs`, { headers: { ...auth, origin } });
      expect(plain.status, origin).toBe(403);
      expect((await plain.json()).error.code).toBe('AGENTD_ERR_FORBIDDEN');
      const preflight = await fetch(`${base}/v1/runs`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status, origin).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect((await preflight.json()).error.code).toBe('AGENTD_ERR_FORBIDDEN');
    }
    expect((await fetch(`${base}/v1/runs`, { headers: { ...auth, origin: base } })).status).toBe(200);
    expect((await fetch(`${base}/v1/runs`, { headers: auth })).status).toBe(200);
  });
});
