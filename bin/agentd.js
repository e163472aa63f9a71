#!/usr/bin/env node
// The published entry point: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`agentd: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
