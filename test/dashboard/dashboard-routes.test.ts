import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auth, buildTestApp } from '../helpers/services.js';

/** Logs in as a browser would: a ticket from the bearer token, exchanged at /login for the session cookie. */
async function login(app: FastifyInstance): Promise<string> {
  const ticket = (await app.inject({ method: 'POST', url: '/v1/dashboard/login', headers: auth })).json() as {
    path: string;
  };
  const response = await app.inject({ url: ticket.path });
  return String(response.headers['set-cookie']).split(';')[0] as string;
}

describe('the dashboard routes', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let base: string;
  beforeAll(async () => {
    ({ app, close } = await buildTestApp());
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => close());

  it('answers GET / with a login hint and no script to a browser without a session, with the strict CSP', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-security-policy')).toMatch(
      /^default-src 'self'; script-src 'self';.*frame-ancestors 'none'/,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toContain('agentd open');
    expect(html).not.toContain('<script');
  });

  it('issues a one-time login to the bearer token only, and exchanges it once for an HttpOnly SameSite=Strict cookie', async () => {
    const refused = await fetch(`${base}/v1/dashboard/login`, { method: 'POST' });
    expect(refused.status).toBe(401);
    const issued = await fetch(`${base}/v1/dashboard/login`, { method: 'POST', headers: auth });
    expect(issued.status).toBe(200);
    const { path, expiresAt } = (await issued.json()) as { path: string; expiresAt: string };
    expect(path).toMatch(/^\/login\?ticket=[\w-]{43}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000);

    const exchanged = await fetch(`${base}${path}`, { redirect: 'manual' });
    expect(exchanged.status).toBe(303);
    expect(exchanged.headers.get('location')).toBe('/');
    const cookie = exchanged.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^agentd_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=86400$/);
    const session = cookie.split(';')[0] as string;

    const page = await fetch(`${base}/`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(html).not.toContain(auth.authorization.slice(7));
    expect((await fetch(`${base}${path}`, { redirect: 'manual' })).status).toBe(401);
  });

  it('lets the session call the API from its own origin only, and refuses a session minting further logins', async () => {
    const session = await login(app);
    const host = new URL(base).host;
    expect(
      (await fetch(`${base}/v1/runs`, { headers: { cookie: session, 'sec-fetch-site': 'same-origin' } })).status,
    ).toBe(200);
    // Another port of the same host is the same "site" for SameSite, but another origin: refused outright.
    expect(
      (
        await fetch(`${base}/v1/runs`, {
          headers: { cookie: session, origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await fetch(`${base}/v1/runs`, { headers: { cookie: session, 'sec-fetch-site': 'cross-site' } })).status,
    ).toBe(401);
    // A state-changing request must name its origin.
    const body = JSON.stringify({ topic: 'x', team: ['extractor'] });
    expect(
      (
        await fetch(`${base}/v1/runs`, {
          method: 'POST',
          headers: { cookie: session, 'content-type': 'application/json' },
          body,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${base}/v1/dashboard/login`, {
          method: 'POST',
          headers: { cookie: session, origin: `http://${host}` },
        })
      ).status,
    ).toBe(403);
    expect((await fetch(`${base}/v1/runs`, { headers: { cookie: 'agentd_session=forged' } })).status).toBe(401);
  });

  it('accepts the session on a WebSocket from its own origin, and refuses it from another', async () => {
    const session = await login(app);
    const open = (origin: string) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/events`, {
          headers: { cookie: session, origin },
        });
        socket.on('open', () => {
          socket.close();
          resolve('open');
        });
        socket.on('unexpected-response', (_request, response) => resolve(String(response.statusCode)));
        socket.on('error', () => resolve('error'));
      });
    expect(await open(base)).toBe('open');
    expect(await open('http://127.0.0.1:1')).toBe('403');
    expect(await open('https://evil.example')).toBe('403');
  });

  it('serves the built assets with their types, and nothing outside them', async () => {
    const script = await fetch(`${base}/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}/assets/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/assets/index.html`)).status).toBe(404);
    expect((await fetch(`${base}/assets/..%2fpackage.json`)).status).not.toBe(200);
  });

  it('ends the session at logout', async () => {
    const session = await login(app);
    const origin = base;
    const out = await fetch(`${base}/v1/dashboard/logout`, { method: 'POST', headers: { cookie: session, origin } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await fetch(`${base}/`, { headers: { cookie: session } })).status).toBe(401);
  });
});
