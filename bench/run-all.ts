import { formatBrowseTable, runBrowseBench } from './browse-bench.js';
import { formatLimiterTable, runLimiterBench } from './limiter-bench.js';
import { formatStoreTable, runStoreBench } from './store-bench.js';

/** `npm run bench`: every benchmark in turn, printing the tables recorded in docs/BENCHMARKS.md. */
process.stdout.write(`## Limiter\n\n${formatLimiterTable(await runLimiterBench())}\n\n`);
process.stdout.write(`## Browse\n\n${formatBrowseTable(await runBrowseBench())}\n\n`);
process.stdout.write(`## Store\n\n${formatStoreTable(await runStoreBench())}\n`);
