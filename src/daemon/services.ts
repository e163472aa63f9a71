import { builtInPlugins } from '../../plugins/index.js';
import { createProviders } from '../../providers/index.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Config } from '../config/load-config.js';
import { CostLedger } from '../gateway/cost-ledger.js';
import { Gateway } from '../gateway/gateway.js';
import { ModelCatalog } from '../gateway/model-catalog.js';
import { systemClock, type Clock } from '../gateway/clock.js';
import type { LanguageModelProvider } from '../gateway/language-model.js';
import { LimitHistory } from '../gateway/limit-history.js';
import { UsageHistory } from '../gateway/usage-history.js';
import { localUsage } from '../gateway/usage-source.js';
import type { Logger } from '../logger.js';
import { loadPlugins, type Plugins } from '../plugins/load-plugins.js';
import { EventBus } from '../runs/event-bus.js';
import { RunManager } from '../runs/run-manager.js';
import { FileCache } from '../store/file-cache.js';
import { Store } from '../store/store.js';
import { tokenHint } from './token.js';
import type { GenerateResult } from '../gateway/gateway.js';
import type { ApiServices } from '../server/api-services.js';

/**
 * Everything the daemon runs with, built once from the config: what the API uses (`ApiServices`, each route
 * a `Pick` of it) and what only the daemon itself needs. Built by `createServices` for the daemon and for
 * tests alike, so that tests exercise the real wiring.
 */
export interface Services extends ApiServices {
  /** The configured providers, as the gateway calls them (the daemon's checks list their models). */
  providers: ReadonlyMap<string, LanguageModelProvider>;
}

export interface ServiceOptions {
  logger: Logger;
  token: string;
  /** Replaces the global fetch for providers (tests). */
  fetch?: typeof fetch;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Cluster timings (tests shorten them). */
  cluster?: { leaseTtlMs?: number; unavailableWaitMs?: number };
}

export async function createServices(config: Config, options: ServiceOptions): Promise<Services> {
  // First, so that a daemon whose Redis is unreachable refuses to start before it opens anything.
  const cluster = await joinCluster(config, options);
  let store: Store;
  try {
    // A member keeps its runs in the cluster's Redis; the ledger and the caches stay in its data dir.
    store = await Store.open(config.dataDir, cluster ? { runs: await cluster.openRunStore() } : {});
  } catch (error) {
    await cluster?.close();
    throw error;
  }
  for (const line of store.ledgerCorrupt)
    options.logger.warn({ byte: line.byte, reason: line.reason }, 'ledger.jsonl: corrupt line skipped');
  // Read once, counted by the ledger and the usage history, then let go (memory at rest).
  const ledgerEntries = store.takeLedgerEntries();
  const ledger = new CostLedger(store.ledger, ledgerEntries);
  // In a cluster, what the API shows is every member's calls, from Redis: this member's history is not kept.
  const usage = cluster ? cluster.ledger : localUsage(ledger, new UsageHistory(ledgerEntries));
  const providers = await createProviders(config.providers, options.fetch ? { fetch: options.fetch } : {});
  const shared = cluster ? { limiters: cluster.limiters, budget: cluster.budget } : {};
  const gateway = new Gateway({
    config,
    providers,
    ledger,
    logger: options.logger,
    ...shared,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  let plugins: Plugins;
  try {
    plugins = await loadPlugins(config, {
      logger: options.logger,
      cacheDirectory: (name) => store.cacheDirectory(name),
      builtIns: builtInPlugins,
      ...(options.env ? { env: options.env } : {}),
    });
  } catch (error) {
    await store.close();
    await cluster?.close();
    throw error;
  }
  const events = new EventBus(store.runs, options.logger);
  const llmCache = config.cache.llm ? new FileCache<GenerateResult>(store.cacheDirectory('llm')) : undefined;
  const runs = new RunManager({
    config,
    runs: store.runs,
    gateway,
    plugins,
    events,
    logger: options.logger,
    llmCache,
    shared: await cluster?.openRunQueue(),
  });
  const models = new ModelCatalog({
    config,
    providers,
    logger: options.logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const history = {
    usage,
    limits: new LimitHistory({ clock: options.clock ?? systemClock, providers: () => gateway.providersState() }),
  };
  ledger.subscribe((entry) => {
    usage.add(entry);
    history.limits.record(entry);
  });
  history.limits.start();
  return {
    config,
    logger: options.logger,
    token: options.token,
    tokenHint: tokenHint(config),
    store,
    gateway,
    models,
    providers,
    plugins,
    events,
    runs,
    history,
    startedAt: new Date(),
    ...(cluster ? { cluster } : {}),
  };
}

/** Joins the configured cluster; Redis's client is only loaded when there is one. */
async function joinCluster(config: Config, options: ServiceOptions): Promise<Cluster | undefined> {
  if (!config.cluster) return undefined;
  const { Cluster: ClusterClass } = await import('../cluster/cluster.js');
  return ClusterClass.join({
    redis: config.cluster.redis,
    prefix: config.cluster.prefix,
    logger: options.logger,
    totalUsd: config.budget.totalUsd,
    ...(config.cluster.leaseTtlMs !== undefined ? { leaseTtlMs: config.cluster.leaseTtlMs } : {}),
    ...options.cluster,
  });
}

/** Stops the runs (checkpointing the running ones), then releases plugins and the store. */
export async function closeServices(services: Services): Promise<void> {
  services.history.limits.stop();
  await services.runs.close();
  await services.plugins.close();
  services.events.close();
  // Calls the disk refused while it was full get their ledger lines now, if it has room again.
  if (!services.gateway.ledger.flush())
    services.logger.warn(
      { entries: services.gateway.ledger.unwritten },
      'ledger.jsonl: calls paid while the disk was full could not be written',
    );
  await services.store.close();
  await services.cluster?.close();
}
