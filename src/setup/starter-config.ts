import type { DetectedProvider } from './detect-providers.js';

/** A search backend `init` can offer: keyless DuckDuckGo, or a keyed one whose key is in the environment. */
export interface SearchChoice {
  use: string;
  /** The environment variables the backend reads its key from (it reads them itself at start). */
  env: readonly string[];
}

/** Needs no key, so it is always a choice. */
const KEYLESS_SEARCH: SearchChoice = { use: 'duckduckgo', env: [] };

const KEYED_SEARCH: readonly SearchChoice[] = [
  { use: 'brave', env: ['BRAVE_API_KEY'] },
  { use: 'serper', env: ['SERPER_API_KEY'] },
  { use: 'tavily', env: ['TAVILY_API_KEY'] },
  { use: 'google', env: ['GOOGLE_API_KEY', 'GOOGLE_CSE_ID'] },
  { use: 'bing', env: ['BING_API_KEY'] },
];

/** The search backends usable here: DuckDuckGo, and each keyed one whose variables are all set. Keyed ones first: they are steadier. */
export function searchChoices(env: NodeJS.ProcessEnv): SearchChoice[] {
  return [...KEYED_SEARCH.filter((backend) => backend.env.every((name) => env[name])), KEYLESS_SEARCH];
}

/** The first of `searchChoices`: a keyed backend whose variables are all set, else DuckDuckGo. */
export function proposedSearch(env: NodeJS.ProcessEnv): SearchChoice {
  return KEYED_SEARCH.find((backend) => backend.env.every((name) => env[name])) ?? KEYLESS_SEARCH;
}

export interface StarterChoices {
  providers: readonly DetectedProvider[];
  /** `provider/model`. */
  defaultModel: string;
  search: SearchChoice;
}

/**
 * The config `init` writes: the chosen providers with keys as `"${NAME}"` references (never a key itself),
 * the default model, the search backend. Everything else keeps its documented default.
 */
export function starterConfig(choices: StarterChoices): Record<string, unknown> {
  return {
    providers: Object.fromEntries(choices.providers.map((provider) => [provider.name, provider.document])),
    models: { default: choices.defaultModel },
    plugins: { search: { use: choices.search.use } },
  };
}
