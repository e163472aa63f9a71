import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createHttpBrowse from '../../plugins/browse/http.js';
import { silentLogger } from '../../src/logger.js';
import type { BrowsePlugin } from '../../src/plugins/plugin-types.js';
import { loadCorpus, serveCorpus, wordRecall } from '../helpers/corpus.js';
import type { WireServer } from '../helpers/wire-server.js';

const pages = loadCorpus();

describe('browsing the 40 real pages of the corpus', () => {
  let server: WireServer;
  let browse: BrowsePlugin;
  beforeAll(async () => {
    server = await serveCorpus(pages);
    browse = await createHttpBrowse(
      { use: 'http', allowHosts: ['127.0.0.1'] },
      { logger: silentLogger(), cacheDirectory: '/tmp', env: {} },
    );
  });
  afterAll(async () => {
    await browse.close?.();
    await server.close();
  });

  it('has all 40 pages', () => {
    expect(pages).toHaveLength(40);
  });

  for (const page of pages) {
    it(`${page.name}: keeps at least 95% of the main content and finds the title`, async () => {
      const result = await browse.browse(`${server.url}/${page.name}/`);
      expect(wordRecall(page.expectedText, result.content), 'word recall').toBeGreaterThanOrEqual(0.95);
      expect(result.title.replace(/\s+/g, ' ').trim()).toBe(page.metadata.title.replace(/\s+/g, ' ').trim());
      expect(result.contentType).toBe('text/html');
    });
  }
});
