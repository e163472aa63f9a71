import type { Config } from '../config/load-config.js';
import { readToken } from '../daemon/token.js';
import { readDaemonState } from '../daemon/state-files.js';
import { AgentdError, DaemonError } from '../errors.js';

/** Where the daemon of this config answers: the URL it recorded at start, else the configured address. */
export function daemonURL(config: Config): string {
  const state = readDaemonState(config.dataDir);
  if (state) return state.url;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return `http://${host}:${config.server.port}`;
}

/** The HTTP client every CLI command but `start`/`stop` uses: the CLI never opens the store itself. */
export class DaemonClient {
  readonly baseURL: string;
  readonly #token: string | undefined;

  constructor(config: Config) {
    this.baseURL = daemonURL(config);
    this.#token = config.server.token ?? readToken(config.dataDir);
  }

  get token(): string | undefined {
    return this.#token;
  }

  /** Whether `/health` answers within `timeoutMs`. */
  async isHealthy(timeoutMs = 1_000): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseURL}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      return response.ok;
    } catch {
      return false;
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.raw(method, path, body);
    const text = await response.text();
    const parsed =
      text && (response.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as unknown) : text;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } })?.error;
      // Not agentd's error shape: whatever answers on this port is not agentd (exit 3, as when nothing does).
      if (!error?.code)
        throw new DaemonError(
          `${this.baseURL} answered HTTP ${response.status}, not as agentd does: another program listens on this port, and agentd is not running there (start it with: agentd start, on a free server.port)`,
        );
      throw new AgentdError(error.code as never, error.message ?? `HTTP ${response.status}`, {
        statusCode: response.status,
      });
    }
    return parsed as T;
  }

  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${this.baseURL}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new DaemonError(`agentd is not running at ${this.baseURL} (start it with: agentd start)`, { cause: error });
    }
  }
}
