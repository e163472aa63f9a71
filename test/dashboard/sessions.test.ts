import { describe, expect, it } from 'vitest';
import { DashboardSessions, SESSION_TTL_MS, TICKET_TTL_MS } from '../../src/server/dashboard/sessions.js';

describe('dashboard logins', () => {
  it('exchanges a ticket once, and not after 5 minutes', () => {
    let now = 1_000_000;
    const sessions = new DashboardSessions({ now: () => now });
    const first = sessions.issueTicket();
    expect(first.expiresAt.getTime()).toBe(now + TICKET_TTL_MS);
    const login = sessions.redeem(first.ticket);
    expect(login?.session).toMatch(/^[\w-]{43}$/);
    expect(sessions.redeem(first.ticket)).toBeUndefined();

    const late = sessions.issueTicket();
    now += TICKET_TTL_MS;
    expect(sessions.redeem(late.ticket)).toBeUndefined();
    expect(sessions.redeem('never-issued')).toBeUndefined();
  });

  it('recognises a session in a Cookie header until it expires or ends', () => {
    let now = 0;
    const sessions = new DashboardSessions({ now: () => now });
    const { session } = sessions.redeem(sessions.issueTicket().ticket) as { session: string };
    expect(sessions.isSession(`theme=dark; agentd_session=${session}`)).toBe(true);
    expect(sessions.isSession(`agentd_session=${session.slice(1)}x`)).toBe(false);
    expect(sessions.isSession(undefined)).toBe(false);
    now += SESSION_TTL_MS;
    expect(sessions.isSession(`agentd_session=${session}`)).toBe(false);

    const second = sessions.redeem(sessions.issueTicket().ticket) as { session: string };
    sessions.end(`agentd_session=${second.session}`);
    expect(sessions.isSession(`agentd_session=${second.session}`)).toBe(false);
  });
});
