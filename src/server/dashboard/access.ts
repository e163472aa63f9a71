import type { FastifyRequest } from 'fastify';
import type { DashboardAccess } from '../security.js';
import type { DashboardSessions } from './sessions.js';

/** Paths of the single-page dashboard: each answers its HTML (or the login hint without a session). */
export const DASHBOARD_PAGES = [/^\/$/, /^\/runs\/[^/]+$/, /^\/usage$/, /^\/limits$/];
const PUBLIC_PATHS = [...DASHBOARD_PAGES, /^\/login$/, /^\/assets\/[\w.-]+$/];

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The guard's view of the dashboard. A session cookie authenticates a request only from the dashboard's own
 * origin: SameSite=Strict keeps other sites' requests from carrying it, but a page on another port of the
 * same host is the same "site", so the exact origin is checked too (Origin, and Sec-Fetch-Site when sent),
 * and a state-changing request must name its Origin.
 */
export function dashboardAccess(sessions: DashboardSessions): DashboardAccess {
  return {
    isPublic: (path) => PUBLIC_PATHS.some((pattern) => pattern.test(path)),
    hasSession: (request) => isFromDashboard(request) && sessions.isSession(request.headers.cookie),
  };
}

function isFromDashboard(request: FastifyRequest): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return SAFE_METHODS.has(request.method) && !isWebSocket(request);
  return origin === `http://${request.headers.host ?? ''}`;
}

function isWebSocket(request: FastifyRequest): boolean {
  return (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
}
