import type { LanguageModelProvider } from '../gateway/language-model.js';
import type { ProviderHealth } from '../gateway/provider-health.js';
import type { Logger } from '../logger.js';
import { probeProvider } from '../setup/probe-provider.js';

/** How often the daemon lists each provider's models to keep `status` true between calls. @default 600000 */
export const PROVIDER_CHECK_INTERVAL_MS = 10 * 60_000;

export interface ProviderChecks {
  /** Resolves when the current round of checks has finished. */
  settled(): Promise<void>;
  stop(): void;
}

/**
 * Checks every provider now and then every `intervalMs` by listing its models (free: nothing is generated),
 * recording the outcome in the gateway's health so `status` and `GET /v1/providers` say whether each works
 * before any run uses it.
 */
export function startProviderChecks(
  providers: ReadonlyMap<string, LanguageModelProvider>,
  health: ProviderHealth,
  logger: Logger,
  options: { intervalMs?: number } = {},
): ProviderChecks {
  const controller = new AbortController();
  const checkAll = () =>
    Promise.all(
      [...providers.values()].map(async (provider) => {
        const probe = await probeProvider(provider, { signal: controller.signal });
        if (controller.signal.aborted) return;
        if (probe.ok) {
          // A server without a model listing answered all the same: it is up, not failing.
          health.succeeded(provider.name, 'check');
          if (probe.cannotList !== undefined)
            logger.info(
              { provider: provider.name, reason: probe.cannotList },
              'provider answers; it cannot list models',
            );
          else logger.info({ provider: provider.name, models: probe.models.length }, 'provider answers');
        } else if (probe.problem !== 'unsupported') {
          health.failed(provider.name, probe.error, 'check');
          logger.warn(
            { provider: provider.name, problem: probe.problem, reason: probe.message },
            'provider does not answer',
          );
        }
      }),
    ).then(() => undefined);
  let current = checkAll();
  const timer = setInterval(() => (current = checkAll()), options.intervalMs ?? PROVIDER_CHECK_INTERVAL_MS);
  // The checks must not keep a stopping daemon alive.
  timer.unref();
  return {
    settled: () => current,
    stop: () => {
      clearInterval(timer);
      controller.abort();
    },
  };
}
