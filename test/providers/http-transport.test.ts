import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../../providers/http-transport.js';
import { Cancellation } from '../../src/gateway/cancel-signal.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';

/** 4 MiB of known bytes: far more than one socket read or a stream's buffer holds. */
const LARGE = Buffer.alloc(4 * 1024 * 1024, 'abcdefghij');

/** The providers' transport on undici's dispatcher: a body read whole or as a stream, cut short, or never sent. */
describe('sendRequest', () => {
  let server: WireServer;
  let requests = 0;

  beforeAll(async () => {
    server = await startWireServer((request, response) => {
      requests += 1;
      if (request.url === '/large') {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        return void response.end(LARGE);
      }
      if (request.url === '/cut') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('{"partial":');
        return void setTimeout(() => response.socket?.destroy(), 20);
      }
      if (request.url === '/who') {
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end(JSON.stringify({ authorization: request.headers.authorization ?? null }));
      }
      response.writeHead(200, { 'content-type': 'application/json', 'x-twice': ['a', 'b'] });
      response.end('{"ok":true}');
    });
  });
  afterAll(() => server.close());

  const url = (path: string) => new URL(`${server.url}${path}`);

  it('reads a body whole, asked for before its end or after it', async () => {
    const early = await sendRequest(url('/json'), { method: 'GET', headers: {} });
    expect(early.statusCode).toBe(200);
    expect(early.headers['x-twice']).toEqual(['a', 'b']);
    expect((await early.body.bytes()).toString()).toBe('{"ok":true}');
    const late = await sendRequest(url('/json'), { method: 'GET', headers: {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await late.body.bytes()).toString()).toBe('{"ok":true}');
  });

  it('streams from the first byte what arrived before the stream was asked for', async () => {
    const answer = await sendRequest(url('/json'), { method: 'GET', headers: {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(await answer.body.stream().toArray()).toString()).toBe('{"ok":true}');
  });

  it('gives a slow stream reader a large body whole, pausing the connection while it lags', async () => {
    const answer = await sendRequest(url('/large'), { method: 'GET', headers: {} });
    const stream = answer.body.stream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      // A reader slower than loopback: the stream's buffer fills and the connection is paused.
      if (chunks.length % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(stream.readableLength).toBeLessThanOrEqual(stream.readableHighWaterMark + 65_536 * 2);
    }
    expect(Buffer.concat(chunks).equals(LARGE)).toBe(true);
  });

  it('fails a whole read and a stream of a body the server cut short', async () => {
    const whole = await sendRequest(url('/cut'), { method: 'GET', headers: {} });
    await expect(whole.body.bytes()).rejects.toThrow();
    const streamed = await sendRequest(url('/cut'), { method: 'GET', headers: {} });
    await expect(streamed.body.stream().toArray()).rejects.toThrow();
  });

  it("rejects a call cancelled before undici started it with the cancellation's reason, and never sends it", async () => {
    const before = requests;
    const gone = new Cancellation();
    const call = sendRequest(url('/json'), { method: 'POST', headers: {}, body: Buffer.from('{}'), signal: gone });
    gone.abort(new Error('the client hung up'));
    await expect(call).rejects.toThrow('the client hung up');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toBe(before);
  });

  it("sends a URL's credentials as Basic auth, unless the call brings its own authorization", async () => {
    const withCredentials = new URL(`${server.url}/who`);
    withCredentials.username = 'ada';
    withCredentials.password = 'p@ss word';
    const basic = await sendRequest(withCredentials, { method: 'GET', headers: {} });
    expect(JSON.parse((await basic.body.bytes()).toString())).toEqual({
      authorization: `Basic ${Buffer.from('ada:p@ss word').toString('base64')}`,
    });
    const bearer = await sendRequest(withCredentials, { method: 'GET', headers: { authorization: 'Bearer k' } });
    expect(JSON.parse((await bearer.body.bytes()).toString())).toEqual({ authorization: 'Bearer k' });
  });
});
