import { z } from 'zod';
import { runEventSchema } from '../types/run-events.js';
import { runSchema, runSummarySchema } from '../runs/run-record.js';
import { VERSION } from '../version.js';
import { chatBodySchema } from './openai/chat-request.js';
import { embeddingsBodySchema } from './routes/embeddings.js';
import { submitRunSchema } from './routes/runs.js';
import { browseBody, searchBody, wikiBody } from './routes/tools.js';
import { loginTicketSchema } from './routes/dashboard.js';
import { limitHistoryResponse, usageHistoryResponse } from './routes/history.js';

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

type Schema = z.ZodType;

function json(schema: Schema, io: 'input' | 'output' = 'output') {
  return { 'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) } };
}

function operation(
  summary: string,
  options: { body?: Schema; response?: Schema; status?: number; text?: string; parameters?: unknown[] } = {},
) {
  const status = String(options.status ?? 200);
  const ok = options.text
    ? { description: summary, content: { [options.text]: { schema: { type: 'string' } } } }
    : { description: summary, ...(options.response ? { content: json(options.response) } : {}) };
  return {
    summary,
    ...(options.parameters ? { parameters: options.parameters } : {}),
    ...(options.body ? { requestBody: { required: true, content: json(options.body, 'input') } } : {}),
    responses: {
      [status]: ok,
      '4XX': { description: 'bad input, unauthorized, refused, not found, conflict', content: json(errorSchema) },
      '5XX': { description: 'upstream or internal failure', content: json(errorSchema) },
    },
  };
}

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const sinceParameter = {
  name: 'since',
  in: 'query',
  required: false,
  schema: { type: 'integer', minimum: 0 },
  description: 'replay events after this seq',
};

/** The OpenAPI 3.1 description of every route, from the same zod schemas the routes validate with. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'agentd',
      version: VERSION,
      description:
        'Local research-team daemon. Every route but /health needs `Authorization: Bearer TOKEN`; WebSocket routes also accept `?token=`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { RunEvent: z.toJSONSchema(runEventSchema) },
    },
    security: [{ bearer: [] }],
    paths: {
      '/health': {
        get: {
          ...operation('liveness and version', {
            response: z.object({ status: z.literal('ok'), version: z.string() }),
          }),
          security: [],
        },
      },
      '/v1/status': { get: operation('pid, URL, uptime, providers and limiter state, runs, spend') },
      '/v1/runs': {
        post: operation('submit a research run', {
          body: submitRunSchema,
          status: 202,
          response: z.object({ id: z.string(), status: z.literal('queued') }),
        }),
        get: operation('list runs, newest first', { response: z.object({ runs: z.array(runSummarySchema) }) }),
      },
      '/v1/runs/{id}': { get: operation('one run', { parameters: [idParameter], response: runSchema }) },
      '/v1/runs/{id}/report': {
        get: operation('the run report', { parameters: [idParameter], text: 'text/markdown' }),
      },
      '/v1/runs/{id}/cancel': {
        post: operation('cancel a queued or running run', { parameters: [idParameter], response: runSchema }),
      },
      '/v1/runs/{id}/resume': {
        post: operation('queue a failed or cancelled run again, from its persisted steps', {
          parameters: [idParameter],
          response: runSchema,
        }),
      },
      '/v1/runs/{id}/events': {
        get: operation(
          "WebSocket: the run's events (RunEvent messages) replayed from `since`, then live; closes after the run ends",
          { parameters: [idParameter, sinceParameter], status: 101 },
        ),
      },
      '/v1/events': { get: operation("WebSocket: every run's events, live", { status: 101 }) },
      '/v1/providers': { get: operation('providers, models, limiter state') },
      '/v1/usage': { get: operation('spend and tokens, total and per provider and model') },
      '/v1/usage/history': {
        get: operation('spend and tokens per time bucket and per provider/model, from the ledger, with the budget', {
          parameters: [
            {
              name: 'bucketSeconds',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 60, maximum: 2_592_000, default: 3600 },
              description: 'bucket width, rounded to whole minutes',
            },
            {
              name: 'since',
              in: 'query',
              required: false,
              schema: { type: 'string', format: 'date-time' },
              description: 'only buckets from this time',
            },
          ],
          response: usageHistoryResponse,
        }),
      },
      '/v1/limits/history': {
        get: operation(
          "each provider's limiter sampled every few seconds over the last 15 minutes: requests and tokens of the last minute against rpm/tpm, in flight, queued, waits, 429s",
          { response: limitHistoryResponse },
        ),
      },
      '/v1/dashboard/login': {
        post: operation(
          'a one-time dashboard login path (`/login?ticket=...`, one use, 5 minutes); bearer token only',
          { response: loginTicketSchema },
        ),
      },
      '/v1/dashboard/logout': {
        post: { ...operation('ends the dashboard session of the cookie', { status: 204 }), security: [] },
      },
      '/': {
        get: {
          ...operation('the dashboard (HTML); without a session, a page saying how to log in', { text: 'text/html' }),
          security: [],
        },
      },
      '/login': {
        get: {
          ...operation(
            'exchanges a one-time ticket for the HttpOnly, SameSite=Strict session cookie, then redirects to /',
            { status: 303, parameters: [{ name: 'ticket', in: 'query', required: true, schema: { type: 'string' } }] },
          ),
          security: [],
        },
      },
      '/v1/chat/completions': {
        post: operation(
          'OpenAI-compatible chat completion (JSON, or SSE with stream: true) through the shared gateway',
          { body: chatBodySchema },
        ),
      },
      '/v1/models': { get: operation('OpenAI-shaped list of the models agentd can route to, as provider/model') },
      '/v1/models/{id}': {
        get: operation('one model, id provider/model (URL-encoded or not)', { parameters: [idParameter] }),
      },
      '/v1/embeddings': {
        post: operation('OpenAI-compatible embeddings (OpenAI-type and Ollama providers) through the shared gateway', {
          body: embeddingsBodySchema,
        }),
      },
      '/v1/tools/search': {
        post: operation('search with the configured plugin', {
          body: searchBody,
          response: z.object({
            results: z.array(z.object({ url: z.string(), title: z.string(), snippet: z.string() })),
          }),
        }),
      },
      '/v1/tools/browse': { post: operation("a page's main content as Markdown", { body: browseBody }) },
      '/v1/tools/wiki': {
        post: operation('the best matching encyclopedia article', {
          body: wikiBody,
          response: z.object({ title: z.string(), url: z.string(), extract: z.string() }),
        }),
      },
      '/v1/openapi.json': { get: operation('this document') },
    },
  };
}
