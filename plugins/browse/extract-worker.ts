import { countTokens } from '../../src/text/token-count.js';
import { extractHtml, extractPdf } from './extract-content.js';
import type { Extracted } from './extracted.js';

/**
 * A worker process of the extraction pool: parsing a large page takes jsdom up to a second, which must not
 * run on the daemon's event loop. Messages over the IPC channel: `{ id, kind: 'html', text, url }` or
 * `{ id, kind: 'pdf', bytes }`.
 */
/** What the worker answers: the extraction and its o200k token count. */
export type ExtractResult = Extracted & { tokens: number };

export type ExtractTask =
  | { id: number; kind: 'html'; text: string; url: string }
  | { id: number; kind: 'pdf'; bytes: Uint8Array };

process.on('message', (task: ExtractTask) => {
  const extracted =
    task.kind === 'html' ? Promise.resolve().then(() => extractHtml(task.text, task.url)) : extractPdf(task.bytes);
  // Counted here, so the tokenizer's tables (about 60 MB) live and leave with the worker, not the daemon.
  const work = extracted.then((result): ExtractResult => ({ ...result, tokens: countTokens(result.content) }));
  work.then(
    (result) => answer({ id: task.id, result }),
    (error: unknown) => answer({ id: task.id, error: error instanceof Error ? error.message : String(error) }),
  );
});

/** Sends an answer; when the daemon has gone meanwhile (EPIPE), there is no one to tell and the worker ends. */
function answer(message: { id: number; result?: ExtractResult; error?: string }): void {
  if (!process.connected) process.exit(0);
  process.send?.(message, undefined, {}, (error) => {
    if (error) process.exit(0);
  });
}
// The daemon is gone (stopped, crashed): nothing will ask again.
process.on('disconnect', () => process.exit(0));
