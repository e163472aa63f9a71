import { ProviderError, errorMessage } from '../errors.js';
import type { LanguageModelProvider } from '../gateway/language-model.js';
import { cannotListModels } from '../gateway/model-catalog.js';
import { providerError } from '../gateway/provider-errors.js';

/** What listing a provider's models said about it: free of charge, since nothing is generated. */
export interface ProviderProbe {
  /** The provider answered the listing, or answered that it has none (`cannotList`). */
  ok: boolean;
  /** The models it listed (its own ids), empty when it did not answer or cannot list. */
  models: string[];
  /**
   * Set when the server answered but has no model listing (404/405 on `GET /models`, see `cannotListModels`):
   * `ok` is true, `models` is empty and says nothing of which models it serves. The server's answer, scrubbed.
   */
  cannotList?: string;
  /**
   * Why it did not answer: `unreachable` (connection refused, DNS, timeout), `key-refused` (401/403 or no
   * key), `unsupported` (the provider cannot list models), `error` (anything else).
   */
  problem?: 'unreachable' | 'key-refused' | 'unsupported' | 'error';
  /** The provider's reason, secrets scrubbed (ProviderError messages are). */
  message?: string;
  /** The failure as a ProviderError (its kind says whether the provider was reachable). */
  error?: ProviderError;
}

/** How long a probe may take: an answering provider lists its models well within this. @default 5000 */
export const PROBE_TIMEOUT_MS = 5_000;

/** `probeProvider` on the provider `createProviders` built under `name`. */
export function probeNamedProvider(
  providers: ReadonlyMap<string, LanguageModelProvider>,
  name: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProviderProbe> {
  const provider = providers.get(name);
  // createProviders builds one provider per configured name: a miss is a bug in agentd, not in the config.
  if (!provider) throw new Error(`no provider was built for ${name}`);
  return probeProvider(provider, options);
}

/** Lists the provider's models, with a timeout, and classifies a failure. Never throws. */
export async function probeProvider(
  provider: LanguageModelProvider,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProviderProbe> {
  if (!provider.listModels)
    return {
      ok: false,
      models: [],
      problem: 'unsupported',
      message: `${provider.name}: this provider cannot list its models`,
    };
  const failed = (problem: NonNullable<ProviderProbe['problem']>, error: ProviderError): ProviderProbe => ({
    ok: false,
    models: [],
    problem,
    message: error.message,
    error,
  });
  // A timer of our own, not AbortSignal.timeout: that one does not keep the process alive, and Node's fetch
  // can wait forever, with nothing else pending, on a server that closes the connection without a word, so
  // `agentd doctor` would exit silently in the middle of its checks.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs ?? PROBE_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  try {
    return { ok: true, models: await provider.listModels({ signal }) };
  } catch (error) {
    if (cannotListModels(provider, error))
      return { ok: true, models: [], cannotList: `GET /models answered ${(error as ProviderError).status}` };
    if (error instanceof ProviderError) {
      return failed(
        error.kind === 'auth'
          ? 'key-refused'
          : error.kind === 'connection' || error.kind === 'timeout'
            ? 'unreachable'
            : 'error',
        error,
      );
    }
    // An abort by our own timeout surfaces as the SDK's abort error: the provider did not answer in time.
    if (timeout.signal.aborted)
      return failed(
        'unreachable',
        providerError(provider.name, 'timeout', `no answer within ${options.timeoutMs ?? PROBE_TIMEOUT_MS} ms`, {
          cause: error,
        }),
      );
    return failed('error', providerError(provider.name, 'server', errorMessage(error), { cause: error }));
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `model` (the provider's id, as configured) is among the listed ones; Ollama lists `name:tag`. */
export function hasModel(listed: readonly string[], model: string): boolean {
  return listed.includes(model) || (!model.includes(':') && listed.includes(`${model}:latest`));
}
