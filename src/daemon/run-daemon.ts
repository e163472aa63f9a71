import { loadConfig, type Config } from '../config/load-config.js';
import { AgentdError, ErrorCode } from '../errors.js';
import { closeLogger, createLogger, type Logger } from '../logger.js';
import { detectedDefaults, detectProviders } from '../setup/detect-providers.js';
import { startProviderChecks } from './provider-checks.js';
import { registerSecrets } from '../secrets.js';
import { buildServer } from '../server/build-server.js';
import { VERSION } from '../version.js';
import { ensureWritableDirectory } from '../store/writable-directory.js';
import { installProcessGuards } from './process-guards.js';
import { closeServices, createServices } from './services.js';
import { removeDaemonState, stateFiles, writeDaemonState } from './state-files.js';
import { ensureToken } from './token.js';

/** How long a graceful stop may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 8_000;

export interface RunningDaemon {
  url: string;
  /** Stops accepting requests, answers those in flight, then checkpoints running runs and closes the store. */
  close(): Promise<void>;
}

/**
 * Runs the daemon in this process: opens the store, builds the services and the API, listens, and records
 * its pid and URL in the data dir. `agentd start --foreground` calls this; `agentd start` spawns a process
 * that does.
 */
export async function runDaemon(loaded: Config, options: { logToStdout?: boolean } = {}): Promise<RunningDaemon> {
  ensureWritableDirectory(loaded.dataDir);
  registerSecrets(...Object.values(loaded.providers).map((provider) => provider.apiKey));
  const logger = createLogger({
    level: loaded.log.level,
    ...(options.logToStdout ? {} : { file: stateFiles(loaded.dataDir).log }),
  });
  const config = await withDetectedProviders(loaded, logger);
  const token = ensureToken(config);
  registerSecrets(token);
  for (const [name, provider] of Object.entries(config.providers))
    logger.info({ provider: name, type: provider.type, origin: provider.origin }, 'provider configured');
  const services = await createServices(config, { logger, token });
  const app = await buildServer(services);
  // The services close when the API has closed: fastify runs onClose hooks after every request in flight
  // has been answered, so runs checkpoint, and the worker pool and the store close, after the last request.
  app.addHook('onClose', async () => {
    await closeServices(services);
  });

  let url: string;
  try {
    url = await app.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    await app.close();
    throw listenError(error, config);
  }
  services.url = url;
  services.cluster?.describe(url, () => services.runs.activeCount);
  const uninstallGuards = installProcessGuards({ logger, runs: services.runs });
  // Resume what a previous daemon left queued or running, now that clients can watch it.
  await services.runs.start();
  const checks = startProviderChecks(services.providers, services.gateway.health, logger);
  writeDaemonState(config.dataDir, {
    pid: process.pid,
    url,
    startedAt: services.startedAt.toISOString(),
    version: VERSION,
  });
  // A process that ends without a finished close (the stop's grace period over, an uncaught exception) takes
  // its pid file with it too: an exit listener may only do synchronous work, and removing two files is that.
  const removeStateAtExit = () => removeDaemonState(config.dataDir, process.pid);
  process.once('exit', removeStateAtExit);
  logger.info({ url, pid: process.pid, dataDir: config.dataDir, config: config.source }, 'agentd listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info('agentd stopping');
      checks.stop();
      try {
        // The API first (requests in flight are answered), then, in its onClose hook, the runs (they checkpoint
        // while the store is open), the plugins and the store.
        await app.close();
        logger.info('agentd stopped');
      } catch (error) {
        logger.error({ err: error }, 'agentd stopped with an error');
        throw error;
      } finally {
        // However the close went, the pid file goes (the process exits next), and the log's last lines are
        // written out before that exit.
        removeDaemonState(config.dataDir, process.pid);
        process.off('exit', removeStateAtExit);
        uninstallGuards();
        await closeLogger(logger);
      }
    })());
  return { url, close };
}

/**
 * A config without `providers` takes them from the environment: the keys that are set and an Ollama that
 * answers, probed by listing their models; `models.default` becomes the first that works. Nothing found: the
 * built-in defaults stay, and the log says so.
 */
async function withDetectedProviders(config: Config, logger: Logger): Promise<Config> {
  if (config.providersFrom !== 'environment' || config.source === 'inline') return config;
  const detected = await detectProviders(process.env);
  for (const provider of detected) {
    if (provider.probe.ok)
      logger.info(
        { provider: provider.name, origin: provider.origin, model: provider.model },
        'provider found in the environment',
      );
    else
      logger.warn(
        {
          provider: provider.name,
          origin: provider.origin,
          problem: provider.probe.problem,
          reason: provider.probe.message,
        },
        'provider found in the environment does not answer',
      );
  }
  const defaults = detectedDefaults(detected);
  if (!defaults) {
    logger.warn(
      { providers: Object.keys(config.providers) },
      'no provider found: set OPENAI_API_KEY or ANTHROPIC_API_KEY, or start Ollama, then restart (agentd doctor says what is missing)',
    );
    return config;
  }
  return loadConfig({ file: config.source === 'defaults' ? undefined : config.source, detected: defaults });
}

/** Installs SIGTERM/SIGINT handlers that close the daemon gracefully, then exit. */
export function exitOnSignals(daemon: RunningDaemon): void {
  const onSignal = (signal: NodeJS.Signals) => {
    // A close that hangs must not leave a half-stopped daemon behind. The timer is not unref'd on purpose: it
    // keeps the event loop alive while the close awaits work that holds no handle of its own (a limiter's
    // unref'd wake-up), which would otherwise let the process end mid-close, its pid file and last log lines
    // left behind.
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    daemon.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`agentd: error while stopping on ${signal}: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

function listenError(error: unknown, config: Config): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.server.host}:${config.server.port}`;
  if (code === 'EADDRINUSE') {
    return new AgentdError(
      ErrorCode.daemon,
      `port ${config.server.port} on ${config.server.host} is already in use: stop what uses it or set server.port`,
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new AgentdError(
      ErrorCode.daemon,
      `cannot listen on ${where}: server.host is not an address of this machine`,
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new AgentdError(ErrorCode.daemon, `not allowed to listen on ${where}: choose a port above 1023`, {
      cause: error,
    });
  }
  return new AgentdError(ErrorCode.daemon, `cannot listen on ${where}: ${(error as Error).message}`, { cause: error });
}
