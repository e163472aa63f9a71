import type { PluginFactories } from '../src/plugins/plugin-types.js';
import createHttpBrowse from './browse/http.js';
import createBing from './search/bing.js';
import createBrave from './search/brave.js';
import createDuckDuckGo from './search/duckduckgo.js';
import createGoogle from './search/google.js';
import createSearxng from './search/searxng.js';
import createSerper from './search/serper.js';
import createTavily from './search/tavily.js';
import createMediaWiki from './wiki/mediawiki.js';

/** The built-in plugins by kind and `use` name. */
export const builtInPlugins: Readonly<PluginFactories> = {
  search: {
    duckduckgo: createDuckDuckGo,
    searxng: createSearxng,
    brave: createBrave,
    serper: createSerper,
    google: createGoogle,
    bing: createBing,
    tavily: createTavily,
  },
  browse: { http: createHttpBrowse },
  wiki: { mediawiki: createMediaWiki },
};
