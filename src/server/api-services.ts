import type { Cluster } from '../cluster/cluster.js';
import type { Config } from '../config/load-config.js';
import type { Gateway } from '../gateway/gateway.js';
import type { LimitHistory } from '../gateway/limit-history.js';
import type { ModelCatalog } from '../gateway/model-catalog.js';
import type { UsageSource } from '../gateway/usage-source.js';
import type { Logger } from '../logger.js';
import type { Plugins } from '../plugins/load-plugins.js';
import type { EventBus } from '../runs/event-bus.js';
import type { RunManager } from '../runs/run-manager.js';
import type { Store } from '../store/store.js';

/**
 * What the API uses of the daemon's services. The API declares it here, below the composition root
 * (`src/daemon/services.ts` builds a `Services` that is one), so that no route imports the daemon; each route
 * takes only the members it reads (`Pick<ApiServices, ...>`).
 */
export interface ApiServices {
  config: Config;
  logger: Logger;
  /** The bearer token the API's guard checks. */
  token: string;
  /** Where a refused client finds the token (the 401 message): never the token itself. */
  tokenHint: string;
  store: Store;
  gateway: Gateway;
  /** The models `GET /v1/models` lists. */
  models: ModelCatalog;
  plugins: Plugins;
  events: EventBus;
  runs: RunManager;
  /**
   * Spend (totals and over time: this daemon's, or every member's in a cluster) and the limiters over the last
   * minutes, for `GET /v1/usage` and the dashboard.
   */
  history: { usage: UsageSource; limits: LimitHistory };
  startedAt: Date;
  /** This daemon's membership of a cluster, when `cluster` is configured. */
  cluster?: Cluster;
  /** The URL the daemon listens on, once it does. */
  url?: string;
}
