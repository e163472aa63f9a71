import { z } from 'zod';
import { DEFAULT_RUN_PAGE, MAX_RUN_PAGE, runSchema } from '../types/run-record.js';
import { runEventSchema } from '../types/run-events.js';
import { VERSION } from '../version.js';
import { SESSION_COOKIE } from './dashboard/sessions.js';
import { chatBodySchema } from './openai/chat-request.js';
import {
  browseResponse,
  chatCompletionChunk,
  chatCompletionResponse,
  embeddingsResponse,
  errorResponse,
  healthResponse,
  modelResponse,
  modelsResponse,
  providersResponse,
  searchResponse,
  statusResponse,
  submittedRunResponse,
  usageResponse,
  wikiResponse,
} from './openapi-schemas.js';
import { loginTicketSchema } from './routes/dashboard.js';
import { embeddingsBodySchema } from './routes/embeddings.js';
import { limitHistoryResponse, usageHistoryQuery, usageHistoryResponse } from './routes/history.js';
import { listRunsQuery, runPageResponse, submitRunSchema } from './routes/runs.js';
import { browseBody, searchBody, wikiBody } from './routes/tools.js';

/** The address the daemon listens on unless configured otherwise (config `server`). */
const DEFAULT_SERVER_URL = 'http://127.0.0.1:7411';

/** JSON Schema of a zod schema; `input` for what a route accepts (defaults optional), `output` for answers. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

function json(schema: z.ZodType, io: 'input' | 'output' = 'output') {
  return { 'application/json': { schema: jsonSchema(schema, io) } };
}

const errors = {
  '4XX': { $ref: '#/components/responses/ClientError' },
  '5XX': { $ref: '#/components/responses/ServerError' },
};

interface OperationOptions {
  body?: z.ZodType;
  /** A JSON answer's schema. */
  response?: z.ZodType;
  /** Other answers than JSON, by media type. */
  content?: Record<string, { schema: unknown }>;
  status?: number;
  parameters?: unknown[];
  /** Answered without the bearer token (the route is public, or the dashboard's cookie is checked). */
  public?: boolean;
  description?: string;
}

function operation(operationId: string, summary: string, options: OperationOptions = {}) {
  const content = options.response ? json(options.response) : options.content;
  return {
    operationId,
    summary,
    ...(options.description ? { description: options.description } : {}),
    ...(options.parameters ? { parameters: options.parameters } : {}),
    ...(options.body ? { requestBody: { required: true, content: json(options.body, 'input') } } : {}),
    responses: {
      [String(options.status ?? 200)]: { description: summary, ...(content ? { content } : {}) },
      ...errors,
    },
    ...(options.public ? { security: [] } : {}),
  };
}

/** Query parameters from the zod schema the route parses its query with. */
function queryParameters(schema: z.ZodObject, descriptions: Record<string, string> = {}) {
  const object = jsonSchema(schema, 'input') as { properties: Record<string, unknown>; required?: string[] };
  return Object.entries(object.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    schema,
    ...(descriptions[name] ? { description: descriptions[name] } : {}),
  }));
}

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const sinceParameter = {
  name: 'since',
  in: 'query',
  required: false,
  schema: { type: 'integer', minimum: 0 },
  description: 'replay events after this seq',
};
const html = { 'text/html': { schema: { type: 'string' } } };
// OpenAPI 3.1 has no word for WebSocket messages: the 101 answer's content describes each message.
const webSocket = (operationId: string, summary: string, parameters?: unknown[]) =>
  operation(operationId, summary, {
    status: 101,
    ...(parameters ? { parameters } : {}),
    description: 'A WebSocket (the token may be sent as `?token=`): each message is one RunEvent, as JSON.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/RunEvent' } } },
  });

/**
 * The OpenAPI 3.1 description of every route, with the zod schemas the routes validate with (requests),
 * openapi-schemas.ts (answers built by hand) and the event union (WebSocket messages).
 */
export function openApiDocument(serverURL = DEFAULT_SERVER_URL): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'agentd',
      version: VERSION,
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Local research-team daemon. Every route but /health needs `Authorization: Bearer TOKEN` (or the dashboard session cookie); WebSocket routes also accept `?token=`. A query parameter a route does not list is refused with 400, named in `error.param`.',
    },
    servers: [{ url: serverURL, description: 'this daemon' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        dashboardSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
      },
      schemas: {
        RunEvent: jsonSchema(runEventSchema),
        Error: jsonSchema(errorResponse),
        ChatCompletionChunk: jsonSchema(chatCompletionChunk),
      },
      responses: {
        ClientError: {
          description: 'bad input, unauthorized, refused, not found, conflict',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        ServerError: {
          description: 'upstream or internal failure',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    security: [{ bearer: [] }, { dashboardSession: [] }],
    paths: {
      '/health': { get: operation('getHealth', 'liveness and version', { response: healthResponse, public: true }) },
      '/v1/status': {
        get: operation('getStatus', 'pid, URL, uptime, providers and limiter state, runs, spend', {
          response: statusResponse,
        }),
      },
      '/v1/runs': {
        post: operation('submitRun', 'submit a research run', {
          body: submitRunSchema,
          status: 202,
          response: submittedRunResponse,
        }),
        get: operation('listRuns', 'list runs, newest first, a page at a time', {
          parameters: queryParameters(listRunsQuery, {
            limit: `runs per page (default ${DEFAULT_RUN_PAGE}, at most ${MAX_RUN_PAGE})`,
            before: 'only runs older than this one: the `next` of the previous page',
          }),
          response: runPageResponse,
        }),
      },
      '/v1/runs/{id}': { get: operation('getRun', 'one run', { parameters: [idParameter], response: runSchema }) },
      '/v1/runs/{id}/report': {
        get: operation('getRunReport', 'the run report', {
          parameters: [idParameter],
          content: { 'text/markdown': { schema: { type: 'string' } } },
        }),
      },
      '/v1/runs/{id}/cancel': {
        post: operation('cancelRun', 'cancel a queued or running run', {
          parameters: [idParameter],
          response: runSchema,
        }),
      },
      '/v1/runs/{id}/resume': {
        post: operation('resumeRun', 'queue a failed or cancelled run again, from its persisted steps', {
          parameters: [idParameter],
          response: runSchema,
        }),
      },
      '/v1/runs/{id}/events': {
        get: webSocket(
          'followRunEvents',
          "the run's events replayed from `since`, then live; closes after the run ends",
          [idParameter, sinceParameter],
        ),
      },
      '/v1/events': { get: webSocket('followAllEvents', "every run's events, live") },
      '/v1/providers': {
        get: operation('listProviders', 'providers, models, limiter state', { response: providersResponse }),
      },
      '/v1/usage': {
        get: operation('getUsage', 'spend and tokens, total and per provider and model', { response: usageResponse }),
      },
      '/v1/usage/history': {
        get: operation('getUsageHistory', 'spend and tokens per time bucket and per provider/model, with the budget', {
          parameters: queryParameters(usageHistoryQuery, {
            bucketSeconds: 'bucket width, rounded to whole minutes',
            since: 'only buckets from this time',
          }),
          response: usageHistoryResponse,
        }),
      },
      '/v1/limits/history': {
        get: operation(
          'getLimitHistory',
          "each provider's limiter sampled every few seconds over the last 15 minutes: requests and tokens of the last minute against rpm/tpm, in flight, queued, waits, 429s",
          { response: limitHistoryResponse },
        ),
      },
      '/v1/dashboard/login': {
        post: operation(
          'createDashboardLogin',
          'a one-time dashboard login path (`/login?ticket=...`, one use, 5 minutes); bearer token only',
          { response: loginTicketSchema },
        ),
      },
      '/v1/dashboard/logout': {
        post: operation('logoutDashboard', 'ends the dashboard session of the cookie', { status: 204, public: true }),
      },
      '/': {
        get: operation('getDashboard', 'the dashboard (HTML); without a session, a page saying how to log in', {
          content: html,
          public: true,
        }),
      },
      '/runs/{id}': {
        get: operation('getDashboardRunPage', "the dashboard's page of one run (HTML)", {
          parameters: [idParameter],
          content: html,
          public: true,
        }),
      },
      '/usage': {
        get: operation('getDashboardUsagePage', "the dashboard's usage page (HTML)", { content: html, public: true }),
      },
      '/limits': {
        get: operation('getDashboardLimitsPage', "the dashboard's limits page (HTML)", { content: html, public: true }),
      },
      '/assets/{name}': {
        get: operation('getDashboardAsset', "the dashboard's scripts, styles and icon", {
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
          public: true,
        }),
      },
      '/login': {
        get: operation(
          'loginDashboard',
          'exchanges a one-time ticket for the HttpOnly, SameSite=Strict session cookie, then redirects to /',
          {
            status: 303,
            parameters: [{ name: 'ticket', in: 'query', required: true, schema: { type: 'string' } }],
            public: true,
          },
        ),
      },
      '/v1/chat/completions': {
        post: operation(
          'createChatCompletion',
          'OpenAI-compatible chat completion (JSON, or SSE with stream: true) through the shared gateway',
          {
            body: chatBodySchema,
            content: {
              ...json(chatCompletionResponse),
              // Server-sent events as OpenAPI 3.1 tools describe them: an array of the events' data.
              'text/event-stream': {
                schema: {
                  type: 'array',
                  format: 'event-stream',
                  description:
                    'with `stream: true`: `data: {ChatCompletionChunk}` lines, then `data: [DONE]`; an error after the first chunk is a last `data: {"error": ...}`',
                  items: { $ref: '#/components/schemas/ChatCompletionChunk' },
                },
              },
            },
          },
        ),
      },
      '/v1/models': {
        get: operation('listModels', 'OpenAI-shaped list of the models agentd can route to, as provider/model', {
          response: modelsResponse,
        }),
      },
      '/v1/models/{id}': {
        get: operation('getModel', 'one model, id provider/model (URL-encoded or not)', {
          parameters: [idParameter],
          response: modelResponse,
        }),
      },
      '/v1/embeddings': {
        post: operation('createEmbeddings', 'OpenAI-compatible embeddings (OpenAI-type and Ollama providers)', {
          body: embeddingsBodySchema,
          response: embeddingsResponse,
        }),
      },
      '/v1/tools/search': {
        post: operation('search', 'search with the configured plugin', { body: searchBody, response: searchResponse }),
      },
      '/v1/tools/browse': {
        post: operation('browse', "a page's main content as Markdown; a refused address answers 403", {
          body: browseBody,
          response: browseResponse,
        }),
      },
      '/v1/tools/wiki': {
        post: operation('lookupWiki', 'the best matching encyclopedia article, or 404', {
          body: wikiBody,
          response: wikiResponse,
        }),
      },
      '/v1/openapi.json': {
        get: operation('getOpenApi', 'this document', {
          content: { 'application/json': { schema: { type: 'object' } } },
        }),
      },
    },
  };
}
