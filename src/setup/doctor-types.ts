/** One line of `agentd doctor`. */
export interface DoctorCheck {
  /** What was checked: `config`, `data dir`, `port`, `provider openai`, `model openai/gpt-4o-mini`, `search`, ... */
  name: string;
  /** `skipped` is not a failure: the check could not run here (browse on an offline machine). */
  status: 'ok' | 'fail' | 'skipped';
  /** What was found. */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export const ok = (name: string, detail: string): DoctorCheck => ({ name, status: 'ok', detail });
export const fail = (name: string, detail: string, fix: string): DoctorCheck => ({ name, status: 'fail', detail, fix });
export const skipped = (name: string, detail: string): DoctorCheck => ({ name, status: 'skipped', detail });

/**
 * Errors whose cause is the network itself (no DNS, no route, silence): the machine may be offline. A refused
 * connection is not among them: something answered, so the network is there.
 */
const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENETDOWN']);

/** The network error code behind an error, looking through its causes; undefined when there is none. */
export function offlineCode(error: unknown): string | undefined {
  for (
    let current: unknown = error, depth = 0;
    current && depth < 6;
    current = (current as { cause?: unknown }).cause, depth += 1
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && OFFLINE_CODES.has(code)) return code;
    if ((current as { name?: unknown }).name === 'TimeoutError' || code === 'AGENTD_ERR_TIMEOUT') return 'ETIMEDOUT';
  }
  return undefined;
}
