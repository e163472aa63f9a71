import { z } from 'zod';
import { usageSchema } from '../types/run-record.js';

/**
 * The answers of the routes that build them by hand (no zod validates them on the way out), described once
 * here for the OpenAPI document. test/api/openapi.test.ts parses real answers with them, so a route that
 * changes its answer without changing its schema fails there.
 */

/** OpenAI's error shape, `code` being agentd's stable `AGENTD_ERR_*`. */
export const errorResponse = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().describe('AGENTD_ERR_*'),
  }),
});

export const healthResponse = z.object({ status: z.literal('ok'), version: z.string() });

export const submittedRunResponse = z.object({ id: z.string(), status: z.literal('queued') });

const nullableNumber = z.number().nullable();

/** A limiter's state (limit-gate.ts `GateState`), for a provider or one of its models. */
const gateState = z.object({
  limits: z.object({ rpm: nullableNumber, tpm: nullableNumber, concurrency: nullableNumber }),
  learned: z.object({ rpm: z.boolean(), tpm: z.boolean() }).describe('limits learned from 429s and headers'),
  inFlight: z.number().int(),
  concurrencyCap: nullableNumber.describe('the adaptive in-flight cap'),
  tokensAvailable: nullableNumber,
  requestsAvailable: nullableNumber,
  pace: z.number(),
  pausedUntil: z.string().nullable().describe('set after a 429'),
});

/** src/types/provider-limits.ts `ProviderHealthState`. */
const providerHealth = z.object({
  reachable: z.boolean().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  lastFailure: z.object({ kind: z.string(), message: z.string(), code: z.string() }).nullable(),
  lastCheckedBy: z.enum(['call', 'check']).nullable(),
});

const providerOrigin = z.string().nullable().describe('where the provider came from: configured, default, detected');

export const providersResponse = z.object({
  providers: z.array(
    gateState.partial().extend({
      name: z.string(),
      type: z.string(),
      queued: z.number().int().optional(),
      used: z
        .object({ requests: z.number().int(), tokens: z.number().int() })
        .describe("this daemon's calls to the provider answered in the last minute, and their tokens"),
      health: providerHealth,
      baseURL: z.string().nullable(),
      origin: providerOrigin,
      models: z.object({
        default: z.string().nullable().describe('models.default when it is this provider'),
        actions: z.record(z.string(), z.string()).describe('models.actions routed to this provider'),
        limits: z.record(z.string(), gateState).optional().describe('per-model limiters'),
      }),
    }),
  ),
});

const budget = z.object({ totalUsd: nullableNumber, perRunUsd: nullableNumber });

export const usageResponse = usageSchema.extend({
  byProvider: z.record(z.string(), usageSchema),
  byModel: z.record(z.string(), usageSchema),
  budget,
});

export const statusResponse = z.object({
  pid: z.number().int(),
  url: z.string().nullable(),
  version: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number().int(),
  dataDir: z.string(),
  config: z.string().nullable().describe('the config file read, if any'),
  providers: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      limits: gateState.shape.limits.partial(),
      inFlight: z.number().int(),
      queued: z.number().int(),
      pausedUntil: z.string().nullable(),
      origin: providerOrigin,
      health: providerHealth,
    }),
  ),
  usage: usageSchema,
  budget: z
    .object({ totalUsd: z.number().nullable(), perRunUsd: z.number().nullable() })
    .describe("the config's budget (null: none)"),
  runs: z.object({ active: z.number().int(), queued: z.number().int() }),
  cluster: z
    .object({
      prefix: z.string(),
      redis: z.string(),
      member: z.string(),
      redisAvailable: z.boolean(),
      members: z.array(z.record(z.string(), z.unknown())),
      usage: usageSchema.nullable(),
    })
    .optional()
    .describe('only in cluster mode'),
});

export const modelResponse = z.object({
  id: z.string().describe('provider/model'),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string().describe('the provider'),
});

export const modelsResponse = z.object({ object: z.literal('list'), data: z.array(modelResponse) });

export const embeddingsResponse = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string().describe('base64 float32, little-endian')]),
    }),
  ),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  agentd: z.object({ costUsd: z.number() }),
});

const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

/** With an OpenAI-type provider's details beside the counts (`prompt_tokens_details`...), as it sent them. */
const chatUsage = z.looseObject({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

const finishReason = z.enum(['stop', 'length', 'content_filter', 'tool_calls']);

/**
 * `POST /v1/chat/completions` without `stream`: OpenAI's chat completion, plus agentd's cost, and an OpenAI-type
 * provider's own top-level fields (`system_fingerprint`, `service_tier`...) as it sent them.
 */
export const chatCompletionResponse = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string().describe('provider/model'),
  choices: z.array(
    z.looseObject({
      index: z.number().int(),
      message: z.looseObject({
        role: z.literal('assistant'),
        content: z.string().nullable(),
        refusal: z.string().nullable(),
        tool_calls: z.array(toolCall).optional(),
      }),
      logprobs: z.unknown(),
      finish_reason: finishReason,
    }),
  ),
  usage: chatUsage,
  agentd: z.object({ costUsd: z.number(), costUnknown: z.boolean(), attempts: z.number().int() }),
});

/**
 * One `data:` line of `stream: true` (the stream ends with `data: [DONE]`), with an OpenAI-type provider's own
 * top-level fields (`system_fingerprint`, `service_tier`...) as it sent them.
 */
export const chatCompletionChunk = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.looseObject({
        role: z.literal('assistant').optional(),
        content: z.string().optional(),
        tool_calls: z
          .array(
            z.object({
              index: z.number().int(),
              id: z.string().optional(),
              type: z.literal('function').optional(),
              function: z.object({ name: z.string().optional(), arguments: z.string() }),
            }),
          )
          .optional(),
      }),
      logprobs: z.unknown(),
      finish_reason: finishReason.nullable(),
    }),
  ),
  usage: chatUsage.nullable().optional().describe('with stream_options.include_usage: null, then the last chunk'),
});

export const searchResponse = z.object({
  results: z.array(z.object({ url: z.string(), title: z.string(), snippet: z.string() })),
});

export const browseResponse = z.object({
  url: z.string().describe('after redirects'),
  title: z.string(),
  byline: z.string().nullable(),
  lang: z.string().nullable(),
  content: z.string().describe("the page's main content as Markdown"),
  tokens: z.number().int(),
  contentType: z.string(),
  publishedTime: z.string().nullable(),
});

export const wikiResponse = z.object({ title: z.string(), url: z.string(), extract: z.string() });
