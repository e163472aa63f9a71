import { formatBrowseTable, runBrowseBench } from './browse-bench.js';
import { formatLimiterTable, runLimiterBench } from './limiter-bench.js';

/** `npm run bench`: every benchmark in turn, printing the tables recorded in docs/BENCHMARKS.md. */
process.stdout.write(`## Limiter\n\n${formatLimiterTable(await runLimiterBench())}\n\n`);
process.stdout.write(`## Browse\n\n${formatBrowseTable(await runBrowseBench())}\n`);
