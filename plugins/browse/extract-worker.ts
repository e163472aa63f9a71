import { parentPort } from 'node:worker_threads';
import { extractHtml, extractPdf } from './extract-content.js';

/**
 * A worker thread of the extraction pool: parsing a large page takes jsdom up to a second, which must not
 * run on the daemon's event loop. Messages: `{ id, kind: 'html', text, url }` or `{ id, kind: 'pdf', bytes }`.
 */
export type ExtractTask = { id: number; kind: 'html'; text: string; url: string } | { id: number; kind: 'pdf'; bytes: Uint8Array };

parentPort?.on('message', (task: ExtractTask) => {
  const work = task.kind === 'html' ? Promise.resolve().then(() => extractHtml(task.text, task.url)) : extractPdf(task.bytes);
  work.then(
    (result) => parentPort?.postMessage({ id: task.id, result }),
    (error: unknown) => parentPort?.postMessage({ id: task.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
