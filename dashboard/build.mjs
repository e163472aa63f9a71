// Bundles the dashboard (preact, marked, DOMPurify, uPlot and our views) into dist/dashboard/, which the
// daemon serves: no CDN, nothing fetched at run time. Run by `npm run build` (and so by `prepare`).
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'dist', 'dashboard');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: path.join(here, 'src', 'main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'eof',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
for (const file of ['index.html', 'favicon.svg']) copyFileSync(path.join(here, file), path.join(out, file));

const sizes = readdirSync(out).map((name) => `${name} ${(statSync(path.join(out, name)).size / 1024).toFixed(1)} KiB`);
process.stdout.write(`dashboard built into dist/dashboard: ${sizes.join(', ')}\n`);
