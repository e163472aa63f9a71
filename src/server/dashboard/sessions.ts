import { randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a login URL printed by `agentd open` may be used. */
export const TICKET_TTL_MS = 5 * 60_000;
/** How long a dashboard session lasts after its login (it also ends when the daemon stops). */
export const SESSION_TTL_MS = 24 * 60 * 60_000;
/** The cookie that carries a dashboard session. */
export const SESSION_COOKIE = 'agentd_session';

/**
 * Dashboard logins. The CLI, holding the bearer token, asks for a one-time ticket; the browser exchanges the
 * ticket once for a session id kept in an `HttpOnly`, `SameSite=Strict` cookie. The bearer token itself never
 * reaches the page. Tickets and sessions live in memory only: a restart logs every browser out.
 */
export class DashboardSessions {
  readonly #tickets = new Map<string, number>();
  readonly #sessions = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** A new one-time login ticket and when it expires. */
  issueTicket(): { ticket: string; expiresAt: Date } {
    this.#prune();
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + TICKET_TTL_MS;
    this.#tickets.set(ticket, expiresAt);
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** Exchanges a ticket for a new session id; a used, expired or unknown ticket gets nothing. */
  redeem(ticket: string): { session: string; maxAgeSeconds: number } | undefined {
    const expiresAt = this.#tickets.get(ticket);
    // Deleted before the expiry check: a ticket is spent by its first presentation, valid or late.
    this.#tickets.delete(ticket);
    if (expiresAt === undefined || expiresAt <= this.#now()) return undefined;
    const session = randomBytes(32).toString('base64url');
    this.#sessions.set(session, this.#now() + SESSION_TTL_MS);
    return { session, maxAgeSeconds: SESSION_TTL_MS / 1000 };
  }

  /** Whether a `Cookie` header carries a live session. */
  isSession(cookieHeader: string | undefined): boolean {
    const presented = sessionFromCookie(cookieHeader);
    if (!presented) return false;
    const now = this.#now();
    for (const [session, expiresAt] of this.#sessions) {
      if (expiresAt > now && sameString(session, presented)) return true;
    }
    return false;
  }

  /** Ends the session a `Cookie` header carries, if any. */
  end(cookieHeader: string | undefined): void {
    const presented = sessionFromCookie(cookieHeader);
    if (presented) this.#sessions.delete(presented);
  }

  #prune(): void {
    const now = this.#now();
    for (const [ticket, expiresAt] of this.#tickets) if (expiresAt <= now) this.#tickets.delete(ticket);
    for (const [session, expiresAt] of this.#sessions) if (expiresAt <= now) this.#sessions.delete(session);
  }
}

/** The session id in a `Cookie` header. */
export function sessionFromCookie(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const equals = part.indexOf('=');
    if (equals !== -1 && part.slice(0, equals).trim() === SESSION_COOKIE)
      return part.slice(equals + 1).trim() || undefined;
  }
  return undefined;
}

/** The `Set-Cookie` value for a session: unreadable by scripts, never sent by another site. */
export function sessionCookie(session: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
