import { z } from 'zod';
import { ActionName } from '../types/action-names.js';
import { PROVIDER_TYPE_NAMES, type ProviderType } from './provider-types.js';

/**
 * The config file's schema: every key of CONTRACT.md, with its default. Provider-specific and plugin-specific
 * options are validated by the provider or plugin itself (rule of three); here they pass through.
 */

const positiveInt = (what: string) =>
  z
    .number({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` })
    .int(`expected ${what}`)
    .positive(`expected ${what}`);

const nonNegative = (what: string) =>
  z.number({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` }).nonnegative(`expected ${what}`);

/** Rate limits of one provider (or one model of it). Absent means unlimited in that dimension. */
export const limitsSchema = z
  .object({
    /** Requests per minute. */
    rpm: positiveInt('a positive whole number of requests per minute').optional(),
    /** Tokens (prompt + completion) per minute. */
    tpm: positiveInt('a positive whole number of tokens per minute').optional(),
    /** Requests in flight at once. */
    concurrency: positiveInt('a positive whole number of requests in flight').optional(),
    /**
     * The window, in seconds, over which the provider may enforce a minute's limit: at most
     * `tpm * burstSeconds / 60` tokens are sent at once. @default 3
     */
    burstSeconds: z.number().positive().max(60).optional(),
  })
  .strict();

export type LimitsConfig = z.infer<typeof limitsSchema>;

const providerBase = {
  /** API key; `${ENV}` interpolated. */
  apiKey: z.string().optional(),
  baseURL: z.url({ error: 'expected a URL' }).optional(),
  /** Extra HTTP headers sent with every request. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Per-request timeout. @default 600000 */
  timeoutMs: positiveInt('a positive number of milliseconds').optional(),
  limits: limitsSchema.extend({ models: z.record(z.string(), limitsSchema).optional() }).optional(),
};

/** Each provider type's options: the common ones and its own (`satisfies` keeps it in step with PROVIDER_TYPES). */
const providerTypeSchemas = {
  openai: z.object({ type: z.literal('openai'), ...providerBase, organization: z.string().optional() }).strict(),
  anthropic: z.object({ type: z.literal('anthropic'), ...providerBase }).strict(),
  ollama: z.object({ type: z.literal('ollama'), ...providerBase }).strict(),
} satisfies Record<ProviderType, z.ZodObject>;

export const providerSchema = z.discriminatedUnion(
  'type',
  [providerTypeSchemas.openai, providerTypeSchemas.anthropic, providerTypeSchemas.ollama],
  {
    error: (issue) =>
      `expected "type" to be one of ${PROVIDER_TYPE_NAMES.map((name) => `"${name}"`).join(', ')}, got ${describeValue((issue.input as { type?: unknown } | undefined)?.type)}`,
  },
);

export type ProviderConfig = z.infer<typeof providerSchema>;

/** The built-in actions' names, which `models.actions` keys must be. */
export const ACTION_NAMES = Object.values(ActionName);

const modelName = z.string().regex(/^[^/\s]+\/\S+$/, 'expected "provider/model", e.g. "openai/gpt-4o-mini"');

const priceSchema = z
  .object({
    input: nonNegative('USD per million input tokens'),
    output: nonNegative('USD per million output tokens'),
    cachedInput: nonNegative("USD per million prompt tokens read from the provider's prompt cache").optional(),
  })
  .strict();

const pluginName = z.string().min(1, 'expected the name of a plugin');

/**
 * A browse or wiki section: `use` names the plugin, the built-in one when left out (there is one of each, and
 * its options alone are the common edit: `allowHosts`, `apiURL`).
 */
const pluginSection = (builtIn: string) =>
  z
    .object({ use: pluginName.default(builtIn) })
    .loose()
    .prefault({});

/**
 * The search section: `use` may only be left out with the whole section. Several plugins take the same options
 * (`baseURL`, a key), so options alone do not say which plugin they are for.
 */
const searchSection = z
  .object({
    use: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'expected the name of the search plugin these options are for, e.g. "searxng" or "duckduckgo"'
            : `expected the name of a plugin, got ${describeValue(issue.input)}`,
      })
      .min(1, 'expected the name of a plugin'),
  })
  .loose()
  .prefault({ use: 'duckduckgo' });

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z
          .number({ error: (issue) => `expected a number from 1 to 65535, got ${describeValue(issue.input)}` })
          .int('expected a number from 1 to 65535')
          // 0 asks the OS for a free port; the daemon records the one it got in <dataDir>/daemon.json.
          .min(0, 'expected a number from 1 to 65535 (or 0 for any free port)')
          .max(65535, 'expected a number from 1 to 65535')
          .default(7411),
        /** Bearer token; generated into `<dataDir>/token` when unset. */
        token: z.string().min(16, 'expected at least 16 characters').optional(),
        /** Largest request body accepted, in bytes. @default 1048576 */
        bodyLimit: positiveInt('a positive number of bytes').default(1_048_576),
        /**
         * Largest `POST /v1/chat/completions` body, in bytes: images come inline as base64 data: URLs, and OpenAI
         * takes images up to 20 MB. @default 26214400 (25 MiB)
         */
        chatBodyLimit: positiveInt('a positive number of bytes').default(26_214_400),
        /** Browser origins allowed to call the API cross-origin (CORS). @default { origins: [] } */
        cors: z
          .object({
            origins: z
              .array(
                z
                  .string()
                  .regex(
                    /^https?:\/\/[^/\s]+$/,
                    'expected an origin such as "http://localhost:3000" (scheme, host and port, no path)',
                  ),
              )
              .default([]),
          })
          .strict()
          .default({ origins: [] }),
      })
      .strict()
      .prefault({}),
    dataDir: z.string().min(1).optional(),
    providers: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'provider names use letters, digits, _ . -'), providerSchema)
      .optional(),
    pricing: z.record(modelName, priceSchema).default({}),
    models: z
      .object({
        default: modelName.optional(),
        /** Model per action, by the action's name: a name no action has would silently do nothing. */
        actions: z.partialRecord(z.enum(ACTION_NAMES), modelName).default({}),
      })
      .strict()
      .prefault({}),
    plugins: z
      .object({
        search: searchSection,
        browse: pluginSection('http'),
        wiki: pluginSection('mediawiki'),
      })
      .strict()
      .prefault({}),
    budget: z
      .object({
        perRunUsd: nonNegative('a number of US dollars').optional(),
        totalUsd: nonNegative('a number of US dollars').optional(),
      })
      .strict()
      .prefault({}),
    runs: z
      .object({ concurrency: positiveInt('a positive whole number of runs').default(4) })
      .strict()
      .prefault({}),
    cache: z
      .object({
        /** Replay identical LLM calls from the store instead of paying again. @default true */
        llm: z.boolean().default(true),
        /** How long a fetched page is reused, in seconds. @default 86400 */
        pageTtlSeconds: nonNegative('a number of seconds').default(86_400),
      })
      .strict()
      .prefault({}),
    /**
     * Cluster mode: every daemon with the same Redis and prefix shares provider limits and spend. Absent, nothing
     * needs Redis.
     */
    cluster: z
      .object({
        /** `redis://[user:password@]HOST:PORT[/db]` or `rediss://` for TLS. */
        redis: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected a Redis URL, e.g. "redis://127.0.0.1:6379"'),
        /** Namespace of this cluster's keys, so several clusters can share one Redis. @default "agentd" */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, _ . -')
          .default('agentd'),
        /**
         * How long a member's leases (its runs, limiter slots, budget holds) outlive its last renewal: a member
         * that dies has its runs resumed by another within about this long. @default 10000
         */
        leaseTtlMs: z.number().int().min(1_000).max(300_000).optional(),
      })
      .strict()
      .optional(),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/** A bad value as error messages quote it: JSON, cut at 60 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
