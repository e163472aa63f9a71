import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { allowedHostnames } from '../src/server/security.js';
import { auth, buildTestApp, TEST_TOKEN } from './helpers/services.js';

describe('the API guards', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => ({ app, close } = await buildTestApp({ server: { token: TEST_TOKEN, bodyLimit: 1024 } })));
  afterAll(() => close());

  it('answers /health without a token', async () => {
    const response = await app.inject({ url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('refuses /v1 routes without a token, with a wrong one, and with a non-bearer scheme', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: `Basic ${TEST_TOKEN}` },
    ]) {
      const response = await app.inject({ url: '/v1/status', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: {
          code: 'AGENTD_ERR_UNAUTHORIZED',
          message: expect.any(String),
          type: 'authentication_error',
          param: null,
        },
      });
    }
  });

  it('tells a refused client that the token is the configured server.token, without saying it', async () => {
    const response = await app.inject({ url: '/v1/status' });
    expect(response.json().error.message).toBe("missing or wrong bearer token: the daemon's server.token setting");
    expect(response.body).not.toContain(TEST_TOKEN);
  });

  it('accepts the bearer token', async () => {
    const response = await app.inject({ url: '/v1/status', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ pid: process.pid });
  });

  it('does not accept ?token= on plain HTTP routes, only on WebSocket upgrades', async () => {
    const response = await app.inject({ url: `/v1/status?token=${TEST_TOKEN}` });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a Host that is neither the listening address nor localhost (DNS rebinding)', async () => {
    const response = await app.inject({ url: '/health', headers: { host: 'evil.example:7411' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('AGENTD_ERR_FORBIDDEN');
    for (const host of ['localhost:7411', '127.0.0.1:7411', '127.0.0.1', '[::1]:7411']) {
      expect((await app.inject({ url: '/health', headers: { host } })).statusCode).toBe(200);
    }
  });

  it('refuses browser requests from another site, and accepts its own origin', async () => {
    const foreign = await app.inject({ url: '/v1/status', headers: { ...auth, origin: 'https://evil.example' } });
    expect(foreign.statusCode).toBe(403);
    const opaque = await app.inject({ url: '/v1/status', headers: { ...auth, origin: 'null' } });
    expect(opaque.statusCode).toBe(403);
    const own = await app.inject({
      url: '/v1/status',
      headers: { ...auth, host: 'localhost:7411', origin: 'http://localhost:7411' },
    });
    expect(own.statusCode).toBe(200);
  });

  it('refuses other origins of the same loopback host (another port, https, 127.0.0.1 for localhost) before the token check', async () => {
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:7411', 'https://localhost:7411']) {
      for (const headers of [auth, {}]) {
        const response = await app.inject({
          url: '/v1/status',
          headers: { ...headers, host: 'localhost:7411', origin },
        });
        expect(response.statusCode, origin).toBe(403);
        expect(response.json().error).toMatchObject({
          code: 'AGENTD_ERR_FORBIDDEN',
          message: `requests from origin "${origin}" are refused: only the daemon's own origin and server.cors.origins are allowed`,
        });
      }
    }
  });

  it('lets requests without an Origin through, as curl and SDKs send them', async () => {
    const response = await app.inject({ url: '/v1/status', headers: { ...auth, host: 'localhost:7411' } });
    expect(response.statusCode).toBe(200);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await app.inject({ url: '/v1/nothing-here', headers: auth });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        code: 'AGENTD_ERR_NOT_FOUND',
        message: 'no route GET /v1/nothing-here',
        type: 'not_found_error',
        param: null,
      },
    });
  });

  it('answers malformed JSON with a 400, never a 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/status',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"topic": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('AGENTD_ERR_BAD_REQUEST');
  });

  it('answers a body over the limit with a 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/status',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ topic: 'x'.repeat(4096) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('AGENTD_ERR_TOO_LARGE');
  });
});

describe('allowed hostnames', () => {
  it('accepts only loopback names when listening on loopback', () => {
    const isAllowed = allowedHostnames('127.0.0.1');
    expect(['localhost', '127.0.0.1', '[::1]', 'LOCALHOST'].every(isAllowed)).toBe(true);
    expect(['192.168.1.5', 'attacker.example', 'localhost.attacker.example'].some(isAllowed)).toBe(false);
  });

  it('accepts any address literal but no other name when listening on every interface', () => {
    const isAllowed = allowedHostnames('0.0.0.0');
    expect(isAllowed('192.168.1.5')).toBe(true);
    expect(isAllowed('localhost')).toBe(true);
    expect(isAllowed('attacker.example')).toBe(false);
  });
});

describe('the 401 of a daemon whose token was generated', () => {
  it('names the real token file when the daemon listens on loopback', async () => {
    const built = await buildTestApp({ server: {} });
    try {
      const response = await built.app.inject({ url: '/v1/runs' });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.message).toBe(
        `missing or wrong bearer token: the daemon's token is in ${path.join(built.services.config.dataDir, 'token')}`,
      );
    } finally {
      await built.close();
    }
  });

  it('says the same to a real client over a listening socket', async () => {
    const built = await buildTestApp({ server: {} });
    try {
      await built.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = built.app.server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/v1/runs`);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toBe(
        `missing or wrong bearer token: the daemon's token is in ${path.join(built.services.config.dataDir, 'token')}`,
      );
    } finally {
      await built.close();
    }
  });

  it('names only the data dir setting when the daemon listens on every interface, not the home directory', async () => {
    const built = await buildTestApp({ server: { host: '0.0.0.0' } });
    try {
      const response = await built.app.inject({ url: '/v1/runs', headers: { host: '127.0.0.1' } });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.message).toContain('the file named token in its data dir (dataDir in its config)');
      expect(response.body).not.toContain(built.services.config.dataDir);
    } finally {
      await built.close();
    }
  });
});
