import type { Logger } from '../logger.js';

/**
 * The three plugin kinds agentd reaches the web through. Roles and routes see only these interfaces;
 * `plugins.<kind>.use` in the config picks the implementation.
 */

/** One web search result, the same shape for every backend. */
export interface SearchResult {
  url: string;
  title: string;
  snippet: string;
}

export interface SearchOptions {
  /** Results wanted. @default 8 */
  limit?: number | undefined;
  /** ISO 639-1 language of the results, e.g. `en`, `zh`. */
  language?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface SearchPlugin {
  readonly name: string;
  search(query: string, options?: SearchOptions): Promise<SearchResult[]>;
}

/** A fetched page reduced to its main content. */
export interface Page {
  /** The final URL, after redirects. */
  url: string;
  title: string;
  byline: string | null;
  /** Language from the page (`<html lang>`, `Content-Language`), when it says. */
  lang: string | null;
  /** Publication date, when the page says. */
  publishedTime: string | null;
  /** The main content as Markdown (HTML), text (PDF, plain text) or JSON as is. */
  content: string;
  /** `text/html`, `application/pdf`, ... */
  contentType: string;
  /**
   * o200k tokens of `content`, when the plugin counted them (the built-in one does, in its extraction
   * workers, so that the daemon itself need not load the tokenizer); otherwise the daemon counts.
   */
  tokens?: number;
}

export interface BrowseOptions {
  signal?: AbortSignal | undefined;
}

export interface BrowsePlugin {
  readonly name: string;
  browse(url: string, options?: BrowseOptions): Promise<Page>;
  /** Releases workers and sockets. */
  close?(): Promise<void>;
}

/** The best matching encyclopedia article. */
export interface WikiArticle {
  title: string;
  url: string;
  /** The article's introduction as plain text. */
  extract: string;
}

export interface WikiOptions {
  /** Wikipedia language edition, e.g. `en`, `zh`. @default en */
  language?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface WikiPlugin {
  readonly name: string;
  /** The best article for `query`, or undefined when none matches (missing pages and disambiguations skipped). */
  lookup(query: string, options?: WikiOptions): Promise<WikiArticle | undefined>;
}

/** What every plugin factory receives besides its own options. */
export interface PluginContext {
  logger: Logger;
  /** A folder of its own for caches. */
  cacheDirectory: string;
  env: NodeJS.ProcessEnv;
}

/** A plugin module's default export: validate `options` (throwing with the key path) and build the plugin. */
export type PluginFactory<T> = (options: Record<string, unknown>, context: PluginContext) => T | Promise<T>;

export type PluginKind = 'search' | 'browse' | 'wiki';

/**
 * Plugin factories by kind and `use` name. The built-in ones (`plugins/index.ts`) are handed to the loader by
 * the composition root, so that the loader, an interface-side module, never imports implementations.
 */
export interface PluginFactories {
  search: Readonly<Record<string, PluginFactory<SearchPlugin>>>;
  browse: Readonly<Record<string, PluginFactory<BrowsePlugin>>>;
  wiki: Readonly<Record<string, PluginFactory<WikiPlugin>>>;
}
