import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AgentdError, ErrorCode } from '../../errors.js';
import type { DashboardAsset } from '../dashboard/assets.js';
import { sessionCookie, SESSION_COOKIE, type DashboardSessions } from '../dashboard/sessions.js';

/**
 * Sent with every response. Scripts and styles only from the daemon's own files (no inline script, no
 * `eval`), nothing embedded from elsewhere, and the page cannot be framed: the dashboard shows text that
 * came from web pages, so a sanitiser slip must still not run anything.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const loginTicketSchema = z.object({ path: z.string(), expiresAt: z.string() });
const loginQuery = z.object({ ticket: z.string().min(1).max(200) });

/**
 * The dashboard: `GET /` (and its other views) answers the single-page app to a browser with a session and a
 * login hint otherwise; `GET /login?ticket=` exchanges a one-time ticket for the session cookie;
 * `POST /v1/dashboard/login` issues that ticket to the holder of the bearer token (`agentd open`).
 */
export function dashboardRoutes(
  app: FastifyInstance,
  options: { sessions: DashboardSessions; assets: Map<string, DashboardAsset> },
): void {
  const { sessions, assets } = options;

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const index = assets.get('index.html');
    if (!index)
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          hintPage('The dashboard was not built', 'Run <code>npm run build</code> in the agentd folder, then reload.'),
        );
    if (!sessions.isSession(request.headers.cookie))
      return reply.code(401).type('text/html; charset=utf-8').send(loginHint());
    return reply.type(index.type).send(index.body);
  };
  // The same paths as DASHBOARD_PAGES, which the guard lets through without a token.
  // Pages take any query: they read none, and a stray one from a link should still show the page.
  for (const route of ['/', '/runs/:id', '/usage', '/limits']) app.get(route, { config: { query: 'any' } }, page);

  app.get('/login', { config: { query: 'any' } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const query = loginQuery.safeParse(request.query);
    const login = query.success ? sessions.redeem(query.data.ticket) : undefined;
    if (!login)
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(
          hintPage(
            'This login link is used or expired',
            'Each link logs in once, within 5 minutes. Get a new one with <code>agentd open</code>.',
          ),
        );
    return reply.header('set-cookie', sessionCookie(login.session, login.maxAgeSeconds)).redirect('/', 303);
  });

  app.get('/assets/:name', { config: { query: 'any' } }, async (request, reply) => {
    const asset = assets.get((request.params as { name: string }).name);
    if (!asset || asset.type.startsWith('text/html'))
      throw new AgentdError(ErrorCode.notFound, 'no such dashboard asset', { statusCode: 404 });
    return reply.header('cache-control', 'no-cache').type(asset.type).send(asset.body);
  });

  app.post('/v1/dashboard/login', async (request) => {
    // A session must not mint further logins: only the bearer token's holder (the CLI) may.
    if (!request.headers.authorization)
      throw new AgentdError(ErrorCode.forbidden, 'login links are issued to the bearer token only (agentd open)', {
        statusCode: 403,
      });
    const { ticket, expiresAt } = sessions.issueTicket();
    return { path: `/login?ticket=${ticket}`, expiresAt: expiresAt.toISOString() };
  });

  app.post('/v1/dashboard/logout', async (request, reply) => {
    sessions.end(request.headers.cookie);
    return reply
      .header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`)
      .code(204)
      .send();
  });
}

function loginHint(): string {
  return hintPage(
    'Log in to the agentd dashboard',
    'Run <code>agentd open</code> on this machine: it opens the dashboard logged in. <code>agentd open --print</code> prints a one-time login link instead.',
  );
}

/** A page without scripts, for when the dashboard cannot be shown. */
function hintPage(title: string, html: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="icon" href="/assets/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css"></head><body><main class="hint"><h1>${title}</h1><p>${html}</p></main></body></html>`;
}
