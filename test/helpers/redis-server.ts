import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((candidate) =>
  existsSync(candidate),
);

/** Set when redis-server is installed; cluster tests skip (saying how to install it) otherwise. */
export const redisServerPath: string | undefined = REDIS_SERVER;
export const redisMissingMessage =
  'redis-server is not installed: cluster tests skipped (apt-get install redis-server, as .ci/run does)';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGKILL, as a lost machine would) without removing its folder. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (nothing is saved). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A real redis-server on a free port with a temporary folder, persisting nothing. */
export async function startRedis(): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error(redisMissingMessage);
  const port = await freePort();
  const temp = makeTempDir('agentd-redis-');
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', temp.dir],
      { stdio: 'ignore' },
    );
    await waitForPort(port);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      temp.cleanup();
    },
  };
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
