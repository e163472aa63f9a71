import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerGracefulClose } from '../../src/server/graceful-close.js';

describe('closing the API', () => {
  it('cuts a request that never ends once the drain time is over, so it cannot hold up a stop', async () => {
    const app = Fastify({ forceCloseConnections: 'idle' });
    registerGracefulClose(app, 200);
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => (started = resolve));
    app.get('/forever', (_request, reply) => {
      started();
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: still here\n\n');
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/forever`);
    await inHandler;
    const reading = response.text().then(
      () => 'ended',
      () => 'cut',
    );
    const began = Date.now();
    await app.close();
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(await reading).toBe('cut');
  });
});
