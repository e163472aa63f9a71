import { afterEach, describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { cachedBrowse, cachedSearch } from '../../src/plugins/plugin-cache.js';
import type { BrowsePlugin, Page, SearchPlugin } from '../../src/plugins/plugin-types.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A browse plugin whose pages load when the test says, and that honours its abort signal. */
function slowBrowse() {
  const loads: Array<{ url: string; signal: AbortSignal | undefined; finish: () => void }> = [];
  const plugin: BrowsePlugin = {
    name: 'slow',
    browse: (url, options) =>
      new Promise<Page>((resolve, reject) => {
        const page: Page = {
          url,
          title: 'T',
          byline: null,
          lang: null,
          publishedTime: null,
          content: 'body',
          contentType: 'text/html',
        };
        loads.push({ url, signal: options?.signal, finish: () => resolve(page) });
        options?.signal?.addEventListener('abort', () => reject(new AbortError('page load aborted')), { once: true });
      }),
  };
  return { plugin, loads };
}

function directory(): string {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}

describe('caches shared between runs', () => {
  it('cancelling one waiter leaves another waiting on the same page unharmed', async () => {
    const { plugin, loads } = slowBrowse();
    const browse = cachedBrowse(plugin, directory(), 60_000, silentLogger());
    const runA = new AbortController();
    const runB = new AbortController();
    const a = browse.browse('http://example.test/page', { signal: runA.signal });
    const b = browse.browse('http://example.test/page', { signal: runB.signal });
    await expect.poll(() => loads.length).toBe(1);
    runA.abort(new Error('run A cancelled'));
    await expect(a).rejects.toBeInstanceOf(AbortError);
    expect(loads[0]?.signal?.aborted).toBe(false);
    loads[0]?.finish();
    await expect(b).resolves.toMatchObject({ url: 'http://example.test/page', content: 'body' });
  });

  it('aborts the shared load once its last waiter has gone, and a later caller loads afresh', async () => {
    const { plugin, loads } = slowBrowse();
    const browse = cachedBrowse(plugin, directory(), 60_000, silentLogger());
    const runA = new AbortController();
    const runB = new AbortController();
    const a = browse.browse('http://example.test/page', { signal: runA.signal });
    const b = browse.browse('http://example.test/page', { signal: runB.signal });
    await expect.poll(() => loads.length).toBe(1);
    runA.abort();
    runB.abort();
    await expect(a).rejects.toBeInstanceOf(AbortError);
    await expect(b).rejects.toBeInstanceOf(AbortError);
    expect(loads[0]?.signal?.aborted).toBe(true);
    const c = browse.browse('http://example.test/page', { signal: new AbortController().signal });
    await expect.poll(() => loads.length).toBe(2);
    loads[1]?.finish();
    await expect(c).resolves.toMatchObject({ content: 'body' });
  });

  it('a waiter already cancelled is refused at once without starting a load', async () => {
    let calls = 0;
    const plugin: SearchPlugin = {
      name: 'count',
      search: async () => {
        calls += 1;
        return [];
      },
    };
    const search = cachedSearch(plugin, directory(), 60_000, silentLogger());
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(search.search('q', { signal: cancelled.signal })).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBe(0);
  });
});
