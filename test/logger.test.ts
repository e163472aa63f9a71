import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger } from '../src/logger.js';
import { registerSecrets } from '../src/secrets.js';
import { makeTempDir } from './helpers/temp-dir.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Logs `entries` to a file through the daemon's logger and returns the file's text. */
async function logged(...entries: Array<[object, string]>): Promise<string> {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  const file = path.join(temp.dir, 'agentd.log');
  const logger = createLogger({ level: 'info', file });
  for (const [fields, message] of entries) logger.info(fields, message);
  await closeLogger(logger);
  return readFileSync(file, 'utf8');
}

describe('the log file', () => {
  it('censors a key or token by its name, and an authorization header', async () => {
    const text = await logged(
      [{ apiKey: 'short-key', token: 'short-token' }, 'named'],
      [{ req: { headers: { authorization: 'Bearer short-bearer' } } }, 'request'],
      [{ provider: { apiKey: 'nested-key' } }, 'provider'],
    );
    for (const secret of ['short-key', 'short-token', 'short-bearer', 'nested-key']) expect(text).not.toContain(secret);
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
  });

  it('removes a registered secret wherever it is, at any depth or inside a message', async () => {
    const secret = 'sk-registered-0123456789abcdef';
    registerSecrets(secret);
    const text = await logged(
      [{ call: { upstream: { headers: { 'x-custom-auth': secret } } } }, 'deep'],
      [{}, `the provider answered: invalid key ${secret}`],
    );
    expect(text).not.toContain(secret);
    expect(text).toContain('invalid key [redacted]');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
  });
});
