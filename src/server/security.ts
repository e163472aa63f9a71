import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgentdError, ErrorCode } from '../errors.js';

/**
 * The daemon's request guards, in the order they run: Host (DNS rebinding), Origin (cross-origin browser
 * requests), then the bearer token for everything under /v1.
 */
export interface SecurityOptions {
  /** The address the daemon listens on (`server.host`). */
  listenHost: string;
  token: string;
  /** Where a refused client finds the token, said in the 401 message. */
  tokenHint: string;
  /** Cross-origin browser origins allowed in (`server.cors.origins`); cors.ts answers their preflights. */
  corsOrigins?: readonly string[];
  /** The dashboard's way in: its own pages and a browser session besides the bearer token. */
  dashboard?: DashboardAccess;
}

/** What the guard asks the dashboard (src/server/dashboard/): Host and Origin are checked before either. */
export interface DashboardAccess {
  /** Paths answered without a token: the pages (which show a login hint without a session), assets, login. */
  isPublic(path: string): boolean;
  /** Whether the request carries a live dashboard session and comes from the dashboard page itself. */
  hasSession(request: FastifyRequest): boolean;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** Hostnames a request may name in `Host` or `Origin`: the listening address and localhost. */
export function allowedHostnames(listenHost: string): (hostname: string) => boolean {
  const allowed = new Set(['localhost', stripBrackets(listenHost).toLowerCase()]);
  if (allowed.has('127.0.0.1') || allowed.has('::1') || allowed.has('localhost')) {
    for (const loopback of ['127.0.0.1', '::1', 'localhost']) allowed.add(loopback);
  }
  const wildcard = WILDCARDS.has(listenHost);
  // Listening on every interface, any address literal is "the address it listens on"; names still are not,
  // since a name is exactly what a rebinding attack controls.
  return (hostname) => {
    const bare = stripBrackets(hostname).toLowerCase();
    return allowed.has(bare) || (wildcard && isIP(bare) !== 0);
  };
}

export function createGuards(options: SecurityOptions) {
  const isAllowed = allowedHostnames(options.listenHost);
  const expected = Buffer.from(options.token);
  const corsOrigins = new Set(options.corsOrigins ?? []);

  return async function guard(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const host = request.headers.host;
    if (!host || !isAllowed(hostnameOf(host))) {
      throw new AgentdError(
        ErrorCode.forbidden,
        `requests for host "${host ?? ''}" are refused: use localhost or ${options.listenHost}`,
        { statusCode: 403 },
      );
    }
    // Before the token: a refused origin (a preflight too) learns nothing about auth, as CONTRACT.md's
    // "every other cross-origin request is refused" asks. No Origin (curl, SDKs) is not a browser's request.
    const origin = request.headers.origin;
    if (origin !== undefined && !corsOrigins.has(origin) && !isOwnOrigin(origin, request.protocol, host)) {
      throw new AgentdError(
        ErrorCode.forbidden,
        `requests from origin "${origin}" are refused: only the daemon's own origin and server.cors.origins are allowed`,
        { statusCode: 403 },
      );
    }
    const url = request.url;
    if (url === '/health' || url.startsWith('/health?')) return;
    if (options.dashboard?.isPublic(url.split('?')[0] as string)) return;
    const presented = bearerToken(request) ?? (isWebSocket(request) ? queryToken(url) : undefined);
    if (presented === undefined && options.dashboard?.hasSession(request)) return;
    if (presented === undefined || !safeEqual(Buffer.from(presented), expected)) {
      throw new AgentdError(ErrorCode.unauthorized, `missing or wrong bearer token: ${options.tokenHint}`, {
        statusCode: 401,
      });
    }
  };
}

/**
 * Whether `origin` is the daemon's own: the scheme it is served over and the `Host` the request was sent to
 * (already checked to name the listening address or localhost), port included. A page on another port of
 * localhost, or over https, is another origin (another local app, which may be hostile) even though its
 * hostname is allowed. The Host, not the configured port, is compared: with `port: 0` or behind a port
 * forward the browser's URL is what the dashboard's page (and so its Origin) was loaded from.
 */
export function isOwnOrigin(origin: string, protocol: string, host: string): boolean {
  try {
    // URL's serialisation lowercases the host and drops a default port, as browsers do for Origin.
    return origin === new URL(`${protocol}://${host}`).origin;
  } catch {
    return false;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function queryToken(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('token') ?? undefined;
}

function isWebSocket(request: FastifyRequest): boolean {
  return (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address, not host:port.
  return colon !== -1 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
