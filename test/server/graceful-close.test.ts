import { Agent, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerGracefulClose } from '../../src/server/graceful-close.js';

/** A promise and the function that resolves it: a point a test waits for, or lets a handler past. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** An app closed as the daemon's is, with `drainMs` for requests in flight. */
function closingApp(drainMs: number) {
  const app = Fastify({ forceCloseConnections: 'idle' });
  registerGracefulClose(app, drainMs);
  return app;
}

describe('closing the API', () => {
  it('cuts a request that never ends once the drain time is over, so it cannot hold up a stop', async () => {
    const app = closingApp(200);
    const inHandler = gate();
    app.get('/forever', (_request, reply) => {
      inHandler.open();
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: still here\n\n');
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/forever`);
    await inHandler.opened;
    const reading = response.text().then(
      () => 'ended',
      () => 'cut',
    );
    const began = Date.now();
    await app.close();
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(await reading).toBe('cut');
  });

  it('closes a kept-alive socket as soon as its stream in flight ends, long before the drain time', async () => {
    const app = closingApp(30_000);
    const answered = gate();
    const inHandler = gate();
    // Its head (keep-alive) is sent before the stop begins: only a close after its end can free the socket.
    app.get('/slow', async (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: a\n\n');
      inHandler.open();
      await answered.opened;
      reply.raw.end('data: b\n\n');
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const agent = new Agent({ keepAlive: true });
    const body = new Promise<string>((resolve, reject) => {
      const outgoing = request(
        { port: (app.server.address() as AddressInfo).port, path: '/slow', agent },
        (incoming) => {
          let text = '';
          incoming.on('data', (chunk: Buffer) => (text += chunk));
          incoming.on('end', () => resolve(text));
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
    await inHandler.opened;
    const closing = app.close();
    // Answered once the stop is under way: the server's own sweep of idle sockets, when it starts, is past.
    await new Promise((resolve) => setTimeout(resolve, 150));
    answered.open();
    expect(await body).toBe('data: a\n\ndata: b\n\n');
    const began = Date.now();
    await closing;
    expect(Date.now() - began).toBeLessThan(1_000);
    agent.destroy();
  });

  it('closes at once a connection that never sent a byte (a client connecting ahead of use), not after the drain', async () => {
    const app = closingApp(30_000);
    app.get('/health', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const unused = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => unused.once('connect', resolve));
    const closedByServer = new Promise<void>((resolve) => unused.once('close', () => resolve()));
    unused.on('error', () => {});
    const began = Date.now();
    await app.close();
    await closedByServer;
    expect(Date.now() - began).toBeLessThan(1_000);
  });

  it('still answers a request whose headers arrived before the stop, on a connection opened beside an unused one', async () => {
    const app = closingApp(30_000);
    const answered = gate();
    const inHandler = gate();
    app.get('/slow', async () => {
      inHandler.open();
      await answered.opened;
      return { done: true };
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const unused = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
    unused.on('error', () => {});
    const body = fetch(`${url}/slow`).then((response) => response.json());
    await inHandler.opened;
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    answered.open();
    expect(await body).toEqual({ done: true });
    await closing;
    expect(unused.destroyed || unused.readableEnded).toBe(true);
  });
});
