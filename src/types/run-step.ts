/** A persisted step: the output of one finished unit of work, keyed deterministically within its run. */
export interface StepEntry {
  key: string;
  value: unknown;
  at: string;
}
