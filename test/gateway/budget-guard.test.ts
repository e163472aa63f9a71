import { describe, expect, it } from 'vitest';
import { BudgetError } from '../../src/errors.js';
import { BudgetGuard } from '../../src/gateway/budget-guard.js';
import { CostLedger } from '../../src/gateway/cost-ledger.js';

describe('the budget guard', () => {
  it('holds each call in flight against the total budget, and refuses the call that could cross it', () => {
    const guard = new BudgetGuard(new CostLedger(undefined), 0.01);
    const first = guard.hold(0.006);
    expect(() => guard.hold(0.006)).toThrow(BudgetError);
    first.release();
    expect(() => guard.hold(0.006).release()).not.toThrow();
  });

  it('says nothing is in flight once every hold is released, however the sums of their costs rounded', () => {
    const guard = new BudgetGuard(new CostLedger(undefined), 0.01);
    // Costs like these leave 0.1 + 0.2 - 0.3 style remainders when added and taken away in another order.
    const holds = Array.from({ length: 150 }, (_, index) => guard.hold(0.0000123 * ((index % 7) + 1) + 1e-9 * index));
    for (const hold of holds.reverse()) hold.release();
    const refused = (() => {
      try {
        guard.hold(0.02);
      } catch (error) {
        return error as BudgetError;
      }
    })();
    expect(refused?.message).toContain('$0.0000 spent, $0.0000 in flight, this call up to $0.0200');
  });
});
