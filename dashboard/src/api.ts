import type { Run, RunSummary } from '../../src/types/run-record.js';
import type { RunEvent } from '../../src/types/run-events.js';
import type {
  LimitHistoryAnswer as LimitHistory,
  LimitSample,
  ProviderLimitHistory as ProviderLimits,
} from '../../src/types/provider-limits.js';

export type { Run, RunSummary, RunEvent, LimitHistory, LimitSample, ProviderLimits };

/** An answer of the daemon that was not 2xx, with agentd's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

/** Called when the daemon answers 401: the session expired or the daemon restarted. */
export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/**
 * Calls the daemon's API from the page. The session cookie (HttpOnly, SameSite=Strict) authenticates it;
 * the page never sees a token.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401) for (const listener of sessionEndedListeners) listener();
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  if (!response.ok) {
    const error = isJson ? (JSON.parse(text) as { error?: { code?: string; message?: string } }).error : undefined;
    throw new ApiError(response.status, error?.code ?? 'AGENTD_ERR_HTTP', error?.message ?? `HTTP ${response.status}`);
  }
  return (isJson && text ? JSON.parse(text) : text) as T;
}

export interface Usage {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  costUnknown?: boolean;
}

export interface UsageTotals extends Usage {
  byProvider: Record<string, Usage>;
  byModel: Record<string, Usage>;
  budget: { totalUsd: number | null; perRunUsd: number | null };
}

export interface UsageHistory {
  bucketSeconds: number;
  buckets: Array<{ start: string; total: Usage; byModel: Record<string, Usage> }>;
  budget: { totalUsd: number | null; perRunUsd: number | null };
}
