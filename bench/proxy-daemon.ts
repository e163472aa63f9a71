import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load-config.js';
import { closeServices, createServices } from '../src/daemon/services.js';
import { createLogger } from '../src/logger.js';
import { buildServer } from '../src/server/build-server.js';

/**
 * The daemon half of `bench:proxy`, in a process of its own as in real use: the real services and API on a
 * temporary data dir, its log file at the default level (info) there too, one OpenAI-type provider pointed at
 * the upstream given as argument, no limits. Prints the port it listens on, answers a `cpu` message with its
 * CPU usage, and stops on SIGTERM.
 */
const upstream = process.argv[2];
const token = process.argv[3];
if (!upstream || !token) throw new Error('usage: proxy-daemon.js UPSTREAM_URL TOKEN');
const dataDir = mkdtempSync(path.join(tmpdir(), 'agentd-proxy-bench-'));
const config = parseConfig(
  {
    dataDir,
    server: { port: 0, token },
    providers: { local: { type: 'openai', baseURL: upstream, apiKey: 'none' } },
    models: { default: 'local/bench' },
    pricing: { 'local/bench': { input: 1, output: 1 } },
  },
  { env: {} },
);
const logger = createLogger({ level: config.log.level, file: path.join(dataDir, 'agentd.log') });
const services = await createServices(config, { logger, token });
const app = await buildServer(services);
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${(app.server.address() as { port: number }).port}\n`);
process.on('message', () => process.send?.(process.cpuUsage()));
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => closeServices(services))
    .finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});
