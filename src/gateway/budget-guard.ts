import { BudgetError } from '../errors.js';
import type { CostLedger } from './cost-ledger.js';
import type { CancelSignal } from './cancel-signal.js';

/** A call's share of a budget, held while it is in flight. */
export interface BudgetHold {
  /**
   * What the call actually cost, known once it answered; called before `release`. The in-process guard reads
   * spend from the ledger instead; a shared budget adds it to the shared totals as it lets go of the hold.
   */
  charge?(costUsd: number, usage: { promptTokens: number; completionTokens: number }): void;
  release(): void;
}

/** Budgets per run and in total. `BudgetGuard` checks them in the process; cluster mode against Redis. */
export interface Budget {
  /** Holds `worstCaseUsd` for a call, or throws BudgetError naming the budget it would cross. */
  hold(
    worstCaseUsd: number,
    run?: { id: string; budgetUsd?: number | undefined },
    signal?: CancelSignal,
  ): BudgetHold | Promise<BudgetHold>;
}

/**
 * Budgets per run and in total, checked before each call against what the call could cost at most (its
 * estimated prompt plus its max output tokens): a call that could cross a budget is not made. Calls in
 * flight hold their worst case, so concurrent calls cannot together overshoot.
 */
export class BudgetGuard implements Budget {
  readonly #ledger: CostLedger;
  readonly #totalUsd: number | undefined;
  #heldTotal = 0;
  /** Holds not yet released: at none, nothing is in flight, whatever rounding the sums of floats left. */
  #holds = 0;
  readonly #heldByRun = new Map<string, number>();

  constructor(ledger: CostLedger, totalUsd: number | undefined) {
    this.#ledger = ledger;
    this.#totalUsd = totalUsd;
  }

  /** Holds `worstCaseUsd` for a call, or throws BudgetError naming the budget it would cross. */
  hold(worstCaseUsd: number, run?: { id: string; budgetUsd?: number | undefined }): BudgetHold {
    if (this.#totalUsd !== undefined) {
      const spent = this.#ledger.totals().total.costUsd;
      if (spent + this.#heldTotal + worstCaseUsd > this.#totalUsd) {
        throw new BudgetError(
          'total',
          `the total budget of $${this.#totalUsd} would be crossed: $${round(spent)} spent, $${round(this.#heldTotal)} in flight, this call up to $${round(worstCaseUsd)}`,
        );
      }
    }
    if (run?.budgetUsd !== undefined) {
      const spent = this.#ledger.runUsage(run.id).costUsd;
      const held = this.#heldByRun.get(run.id) ?? 0;
      if (spent + held + worstCaseUsd > run.budgetUsd) {
        throw new BudgetError(
          'run',
          `the run's budget of $${run.budgetUsd} would be crossed: $${round(spent)} spent, $${round(held)} in flight, this call up to $${round(worstCaseUsd)}`,
        );
      }
    }
    this.#heldTotal += worstCaseUsd;
    this.#holds += 1;
    if (run) this.#heldByRun.set(run.id, (this.#heldByRun.get(run.id) ?? 0) + worstCaseUsd);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#holds -= 1;
        this.#heldTotal = this.#holds === 0 ? 0 : this.#heldTotal - worstCaseUsd;
        if (run) {
          const left = (this.#heldByRun.get(run.id) ?? 0) - worstCaseUsd;
          if (left <= 1e-12) this.#heldByRun.delete(run.id);
          else this.#heldByRun.set(run.id, left);
        }
      },
    };
  }
}

function round(usd: number): string {
  return usd.toFixed(4);
}
