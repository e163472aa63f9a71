import type { Logger } from '../logger.js';
import type { RunStorage } from '../store/run-storage.js';
import type { RunOutput } from '../actions/research-context.js';
import type { Run, RunError } from './run-record.js';

/** How long record changes are gathered before one write (the steps log, not this, is what resume relies on). */
const SAVE_DELAY_MS = 200;

/**
 * The live run record: actions add keywords, wiki entries, sources, errors and the report; changes are
 * written to `run.json` shortly after, and at once on `flush()`.
 */
export class RunRecorder implements RunOutput {
  readonly run: Run;
  readonly #store: RunStorage;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(run: Run, store: RunStorage, logger: Logger) {
    this.run = run;
    this.#store = store;
    this.#logger = logger;
  }

  setKeywords(keywords: string[]): void {
    this.run.keywords = keywords;
    this.#changed();
  }

  addWiki(entry: { title: string; url: string; summary: string; keyword: string }): void {
    // A resumed run replays its steps: an entry it already has is not added twice.
    if (!this.run.wiki.some((existing) => existing.url === entry.url)) this.run.wiki.push(entry);
    this.#changed();
  }

  addSource(source: { url: string; title: string; query: string; summary: string }): void {
    if (!this.run.sources.some((existing) => existing.url === source.url)) this.run.sources.push(source);
    this.#changed();
  }

  setReport(report: string): void {
    this.run.report = report;
    this.#changed();
  }

  addError(error: RunError): void {
    const duplicate = this.run.errors.some(
      (existing) => existing.stage === error.stage && existing.message === error.message && existing.url === error.url,
    );
    if (!duplicate) this.run.errors.push({ ...error, at: error.at ?? new Date().toISOString() });
    this.#changed();
  }

  /** Applies `change` and writes the record now. */
  async update(change: (run: Run) => void): Promise<void> {
    change(this.run);
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#saving = this.#saving.then(() => this.#store.save(structuredClone(this.run)));
    await this.#saving;
  }

  #changed(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((error: unknown) =>
        this.#logger.error({ err: error, runId: this.run.id }, 'run record write failed'),
      );
    }, SAVE_DELAY_MS);
  }
}
