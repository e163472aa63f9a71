import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { Config } from '../config/load-config.js';

/** `<dataDir>/token`: where the generated bearer token lives when `server.token` is unset. */
export function tokenFile(dataDir: string): string {
  return path.join(dataDir, 'token');
}

/** The configured token, else the one in `<dataDir>/token`, else a new random one written there (mode 0600). */
export function ensureToken(config: Config): string {
  if (config.server.token) return config.server.token;
  const existing = readToken(config.dataDir);
  if (existing) return existing;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  const file = tokenFile(config.dataDir);
  // 'wx' fails if another start won the race; then its token is the one to use.
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readToken(config.dataDir) ?? token;
    throw error;
  }
  chmodSync(file, 0o600);
  return token;
}

/** The token a client should send: the configured one, else the generated one, else undefined. */
export function readToken(dataDir: string): string | undefined {
  try {
    const token = readFileSync(tokenFile(dataDir), 'utf8').trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a client that was refused finds the token, for the API's 401 message. The token file's real path only
 * when the daemon listens on loopback: then only local users reach the message, and they know the machine's
 * paths anyway; on another interface a stranger would learn the user's home directory, so the file is named by
 * its place in the data dir instead. Never the token itself.
 */
export function tokenHint(config: Config): string {
  if (config.server.token) return "the daemon's server.token setting";
  if (isLoopback(config.server.host)) return `the daemon's token is in ${tokenFile(config.dataDir)}`;
  return "the daemon's token is in the file named token in its data dir (dataDir in its config)";
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}
