import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { PluginError } from '../../src/errors.js';
import { parsePluginOptions } from '../../src/plugins/plugin-options.js';
import type { BrowsePlugin, Page, PluginFactory } from '../../src/plugins/plugin-types.js';
import { decodeBody } from './decode-body.js';
import { fetchPage } from './fetch-page.js';
import { SsrfGuard } from './ssrf-guard.js';
import { ExtractionPool } from './worker-pool.js';

/**
 * An `allowHosts` entry: a host, or host:port, as the guard compares them (`SsrfGuard.isAllowedHost`). A URL
 * or an out-of-range port would never match, and the page would be refused without a word of why.
 */
const notAHost = (issue: { input: unknown }) =>
  `expected a host or host:port, e.g. "127.0.0.1:8080", got ${JSON.stringify(issue.input)}`;
const hostEntry = z.string({ error: notAHost }).refine(
  (entry) => {
    try {
      const url = new URL(`http://${entry}`);
      const given = entry.toLowerCase();
      return url.host === given || `${url.host}:80` === given;
    } catch {
      return false;
    }
  },
  { error: notAHost },
);

const optionsSchema = z
  .object({
    use: z.string(),
    /** Whole-request timeout. @default 15000 */
    timeoutMs: z.number().int().positive().default(15_000),
    /** Largest body accepted, after decompression. @default 5000000 */
    maxBytes: z.number().int().positive().default(5_000_000),
    /** `host` or `host:port` that may be fetched although loopback or private. @default [] */
    allowHosts: z.array(hostEntry).default([]),
    /** @default 5 */
    maxRedirects: z.number().int().nonnegative().max(20).default(5),
    /** Extraction worker threads. @default min(2, CPUs) */
    workers: z.number().int().positive().max(16).optional(),
    /** Extraction workers start on the first page and exit after this long without one. @default 60000 */
    workerIdleMs: z.number().int().positive().default(60_000),
    userAgent: z.string().default('Mozilla/5.0 (compatible; agentd research daemon)'),
  })
  .strict();

const TEXT_TYPES = /^(text\/plain|text\/markdown|text\/csv|text\/x-markdown)$/;
const JSON_TYPE = /^application\/([\w.+-]+\+)?json$/;
const HTML_TYPE = /^(text\/html|application\/xhtml\+xml)$/;

/**
 * Fetches pages with got under the SSRF guard and reduces them to their main content: HTML through jsdom and
 * Readability into Markdown, PDF into text, in a worker pool off the event loop; plain text and JSON as is.
 */
const createHttpBrowse: PluginFactory<BrowsePlugin> = (raw, context) => {
  const options = parsePluginOptions('browse', optionsSchema, raw);
  const guard = new SsrfGuard(options.allowHosts);
  const pool = new ExtractionPool({
    size: options.workers ?? Math.max(1, Math.min(2, availableParallelism())),
    taskTimeoutMs: 30_000,
    idleMs: options.workerIdleMs,
  });

  return {
    name: 'http',
    async browse(url, { signal } = {}): Promise<Page> {
      const fetched = await fetchPage(guard, url, {
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
        maxRedirects: options.maxRedirects,
        userAgent: options.userAgent,
        signal,
      });
      if (fetched.status === 404 || fetched.status === 410)
        throw new PluginError('http', `${fetched.url} is not found (HTTP ${fetched.status})`, { statusCode: 404 });
      if (fetched.status >= 400) throw new PluginError('http', `${fetched.url} answered HTTP ${fetched.status}`);
      const type = fetched.contentType.split(';')[0]?.trim().toLowerCase() || sniff(fetched.body);
      const base = { url: fetched.url, contentType: type, byline: null, publishedTime: null };

      if (HTML_TYPE.test(type)) {
        const { text } = decodeBody(fetched.body, fetched.contentType);
        const { warnings, ...extracted } = await pool.run({ kind: 'html', text, url: fetched.url });
        // A parser failure recovered from is the page's problem, not the caller's: logged, never a 4xx.
        if (warnings?.length) context.logger.warn({ url: fetched.url, warnings }, 'page extracted through a fallback');
        return { ...base, ...extracted, lang: extracted.lang ?? firstLanguage(fetched.contentLanguage) };
      }
      if (type === 'application/pdf') {
        const extracted = await pool.run({ kind: 'pdf', bytes: new Uint8Array(fetched.body) });
        return { ...base, ...extracted, title: extracted.title || titleFromURL(fetched.url) };
      }
      if (TEXT_TYPES.test(type) || JSON_TYPE.test(type)) {
        const { text } = decodeBody(fetched.body, fetched.contentType);
        return {
          ...base,
          title: titleFromURL(fetched.url),
          lang: firstLanguage(fetched.contentLanguage),
          content: text.trim(),
        };
      }
      throw new PluginError(
        'http',
        `${fetched.url} is ${type || 'of no declared type'}, which agentd does not read (HTML, PDF, text and JSON only)`,
        { statusCode: 415 },
      );
    },
    close: () => pool.close(),
  };
};
export default createHttpBrowse;

/** A body with no Content-Type: HTML or PDF by their first bytes, else unknown. */
function sniff(body: Buffer): string {
  const head = body.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('%pdf-')) return 'application/pdf';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'text/html';
  return '';
}

function firstLanguage(header: string | undefined): string | null {
  return header?.split(',')[0]?.trim() || null;
}

function titleFromURL(url: string): string {
  const { pathname, hostname } = new URL(url);
  const last = decodeURIComponent(pathname.split('/').filter(Boolean).at(-1) ?? '');
  return last || hostname;
}
