import type { Config } from '../config/load-config.js';
import { ProviderError } from '../errors.js';
import type { Logger } from '../logger.js';
import { systemClock, type Clock } from './clock.js';
import type { LanguageModelProvider } from './language-model.js';

/** A model as `GET /v1/models` lists it. */
export interface CatalogModel {
  /** `provider/model`. */
  id: string;
  provider: string;
}

export interface ModelCatalogOptions {
  config: Pick<Config, 'providers' | 'pricing' | 'models'>;
  providers: ReadonlyMap<string, LanguageModelProvider>;
  logger: Logger;
  clock?: Clock;
  /** How long a provider's list is reused. @default 60000 */
  ttlMs?: number;
  /** How long a provider may take to list its models before it is left out. @default 5000 */
  timeoutMs?: number;
  /**
   * How long a failed listing is remembered: a provider that hangs would otherwise hold every request for
   * `timeoutMs`, while a short memo still shows it again soon after it is back. @default 10000
   */
  failureTtlMs?: number;
}

/**
 * Whether a listing failed because the server has no model listing, rather than because the provider is down
 * or refuses the key: an OpenAI-compatible server answering 404 or 405 on `GET /models` (older llama.cpp
 * builds, vLLM behind some proxies, LM Studio variants). Such a provider still serves its models; only their
 * list is missing. Anthropic and Ollama always have their listing, so a 404 there is a wrong base URL.
 */
export function cannotListModels(provider: Pick<LanguageModelProvider, 'type'>, error: unknown): boolean {
  return provider.type === 'openai' && error instanceof ProviderError && (error.status === 404 || error.status === 405);
}

/**
 * The models the daemon can route to: those the config names (default, actions, pricing) and those each
 * provider lists (OpenAI `models.list`, Ollama tags), cached briefly. The configured models are always listed;
 * what a provider lists is added when it answers. A provider that is down or refuses adds nothing (logged,
 * remembered for `failureTtlMs`), never an error: clients call this at start-up, and one that finds its
 * configured model missing while a provider restarts would fail to start. A server without a listing
 * (`cannotListModels`) is not down: that is remembered for the cache's time, not asked again at every request.
 */
export class ModelCatalog {
  readonly #options: ModelCatalogOptions;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { at: number; ids: Promise<string[]>; failed?: true }>();
  /** Providers already logged as having no listing: said once, not at every expiry of the cache. */
  readonly #unlisted = new Set<string>();

  constructor(options: ModelCatalogOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  async list(): Promise<CatalogModel[]> {
    const configured = this.#configured();
    const listed = await Promise.all(
      [...this.#options.providers.values()].map(async (provider) =>
        (await this.#listed(provider)).map((id) => `${provider.name}/${id}`),
      ),
    );
    const ids = new Set([...configured, ...listed.flat()]);
    return [...ids].sort().map((id) => ({ id, provider: id.slice(0, id.indexOf('/')) }));
  }

  /** One model by `provider/model`, if the catalog has it. */
  async find(id: string): Promise<CatalogModel | undefined> {
    const models = await this.list();
    const exact = models.find((model) => model.id === id);
    if (exact) return exact;
    // Ollama lists its models with their tag (`llama3.1:latest`) and serves a name without one as its `:latest`.
    const slash = id.indexOf('/');
    const provider = this.#options.providers.get(id.slice(0, slash));
    if (provider?.type !== 'ollama' || id.includes(':', slash)) return undefined;
    const latest = models.find((model) => model.id === `${id}:latest`);
    return latest && { id, provider: latest.provider };
  }

  #configured(): string[] {
    const { models, pricing } = this.#options.config;
    const named = [models.default, ...Object.values(models.actions), ...Object.keys(pricing)];
    return named.filter((id) => this.#options.providers.has(id.slice(0, id.indexOf('/'))));
  }

  #listed(provider: LanguageModelProvider): Promise<string[]> {
    if (!provider.listModels) return Promise.resolve([]);
    const now = this.#clock.now();
    const cached = this.#cache.get(provider.name);
    const ttl = cached?.failed ? (this.#options.failureTtlMs ?? 10_000) : (this.#options.ttlMs ?? 60_000);
    if (cached && now - cached.at < ttl) return cached.ids;
    const ids: Promise<string[]> = provider
      .listModels({ signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000) })
      .catch((error: unknown) => {
        if (cannotListModels(provider, error)) {
          if (!this.#unlisted.has(provider.name))
            this.#options.logger.info(
              { provider: provider.name, reason: (error as Error).message },
              'provider cannot list its models; /v1/models shows its configured ones',
            );
          this.#unlisted.add(provider.name);
          return [];
        }
        this.#options.logger.warn(
          { err: error, provider: provider.name },
          'provider did not list its models; left out of /v1/models',
        );
        // A failure is remembered for a short time only, from when it is known: the provider may be back soon.
        // Only while this listing is still the cached one: a newer listing's answer is not overwritten.
        if (this.#cache.get(provider.name)?.ids === ids)
          this.#cache.set(provider.name, { at: this.#clock.now(), ids: Promise.resolve([]), failed: true });
        return [];
      });
    this.#cache.set(provider.name, { at: now, ids });
    return ids;
  }
}
