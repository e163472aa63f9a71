import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { commandArbitrary, runSequence } from '../helpers/run-fuzz.js';
import { startScriptedLlm, type ScriptedLlm } from '../helpers/scripted-llm.js';

/** Sequences per `npm test`; `npm run fuzz:runs -- --minutes 10` runs the same property for longer. */
const RUNS = Number(process.env.AGENTD_FUZZ_RUNS ?? 40);

describe('run lifecycles under random commands', () => {
  let llm: ScriptedLlm;
  beforeAll(async () => {
    llm = await startScriptedLlm({ keywords: ['Fuzz'], latencyMs: 40 });
  });
  afterAll(async () => {
    await llm.close();
  });

  it('keeps every invariant through random submit, cancel, resume, stop and start', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 14 }), (commands) =>
        runSequence(commands, llm),
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);
});
