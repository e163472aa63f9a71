import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { commandArbitrary, runSequence } from '../test/helpers/run-fuzz.js';
import { startScriptedLlm } from '../test/helpers/scripted-llm.js';

/**
 * `npm run fuzz:runs -- --minutes 10`: the property of test/runs/run-lifecycle.property.test.ts, run for as
 * long as asked instead of 40 sequences. Prints the number of sequences run and the seed; a failure prints
 * the shrunk counterexample and exits 1.
 */
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string' } } });
const minutes = Number(values.minutes);
const seed = values.seed === undefined ? Date.now() ^ 0 : Number(values.seed);
const deadline = Date.now() + minutes * 60_000;

const llm = await startScriptedLlm({ keywords: ['Fuzz'], latencyMs: 40 });
let sequences = 0;
let exitCode = 0;
try {
  // Batches of 50, each with its own seed derived from the first, until the time is up.
  for (let batch = 0; Date.now() < deadline; batch += 1) {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 14 }), async (commands) => {
        sequences += 1;
        await runSequence(commands, llm);
      }),
      { numRuns: 50, seed: seed + batch, endOnFailure: true },
    );
    process.stdout.write(`${new Date().toISOString()} ${sequences} sequences clean\n`);
  }
  process.stdout.write(`fuzz:runs: ${sequences} sequences in ${minutes} min, all invariants held (seed ${seed})\n`);
} catch (error) {
  process.stdout.write(`fuzz:runs: FAILED after ${sequences} sequences (seed ${seed}):\n${(error as Error).message}\n`);
  exitCode = 1;
} finally {
  await llm.close();
}
process.exit(exitCode);
