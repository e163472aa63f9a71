import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One built file of the dashboard, held in memory (they are small) with its content type. */
export interface DashboardAsset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/**
 * The files `npm run build` bundled into `dist/dashboard/` (dashboard/build.mjs), found from the package
 * root so that the same lookup works from the sources (tests), from `dist/` and from an installed package.
 * Empty when the dashboard was not built: the pages then say so.
 */
export function loadDashboardAssets(
  directory = path.join(packageRoot(), 'dist', 'dashboard'),
): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  if (!existsSync(directory)) return assets;
  for (const name of readdirSync(directory)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, { body: readFileSync(path.join(directory, name)), type });
  }
  return assets;
}

function packageRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'agentd')
      return directory;
    const parent = path.dirname(directory);
    if (parent === directory)
      throw new Error(`cannot find the agentd package root above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
}
