import type { Config } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import { Store } from '../store/store.js';

/**
 * Everything the daemon runs with, built once from the config: the API's routes receive this and nothing else.
 * Built by `createServices` for the daemon and for tests alike, so that tests exercise the real wiring.
 */
export interface Services {
  config: Config;
  logger: Logger;
  token: string;
  store: Store;
  startedAt: Date;
  /** The URL the daemon listens on, once it does. */
  url?: string;
}

export async function createServices(config: Config, options: { logger: Logger; token: string }): Promise<Services> {
  const store = await Store.open(config.dataDir);
  return { config, logger: options.logger, token: options.token, store, startedAt: new Date() };
}

export async function closeServices(services: Services): Promise<void> {
  services.store.close();
}
