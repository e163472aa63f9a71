import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (two levels above dist/src and src/). */
export const VERSION: string = readVersion();

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'agentd' && pkg.version) return pkg.version;
    } catch {
      // Not at this depth: try the next one.
    }
  }
  return '0.0.0';
}
