import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../daemon/services.js';
import { AgentdError, errorMessage } from '../../errors.js';
import type { GenerateRequest, GenerateResult } from '../../gateway/gateway.js';
import type { FinishReason } from '../../gateway/language-model.js';
import { errorBody } from '../error-handler.js';
import { parseInput } from '../validate.js';

const contentSchema = z.union([
  z.string(),
  z.array(z.object({ type: z.literal('text'), text: z.string() }).loose()).transform((parts) => parts.map((part) => part.text).join('')),
]);

/** The part of OpenAI's chat completion request that agentd honours; unknown fields are ignored, as OpenAI-compatible servers do. */
export const chatBodySchema = z
  .object({
    model: z.string().min(1),
    messages: z
      .array(z.object({ role: z.enum(['system', 'developer', 'user', 'assistant']), content: contentSchema }).loose())
      .min(1, 'expected at least one message'),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    stop: z.union([z.string(), z.array(z.string())]).optional(),
    stream: z.boolean().optional(),
    response_format: z.object({ type: z.enum(['text', 'json_object']) }).loose().optional(),
  })
  .loose();

type ChatBody = z.infer<typeof chatBodySchema>;

/**
 * `POST /v1/chat/completions`: OpenAI-compatible, JSON or `stream: true` SSE, `model` as `provider/model`.
 * It goes through the same gateway as runs, so a local script shares the limiter, budget and ledger.
 */
export function chatCompletionRoutes(app: FastifyInstance, services: Services): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseInput(chatBodySchema, request.body);
    const generateRequest = toGenerateRequest(body);
    const context = { flow: 'api', signal: clientGone(request, reply) };
    if (!body.stream) {
      const result = await services.gateway.generate(generateRequest, context);
      return completion(result);
    }
    return streamCompletion(services, generateRequest, context, request, reply);
  });
}

/**
 * A signal that aborts when the client hangs up, cancelling the call and freeing its place in the limiter.
 * Not the request's `'close'`: Node emits that as soon as the body has been read, on every real socket
 * (inject() has none, so only a listening server shows it). The response closing before it finished, or the
 * request being aborted mid-body, is a client that went away.
 */
function clientGone(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  const gone = () => {
    if (!reply.raw.writableFinished) abort.abort(new Error('the client closed the connection'));
  };
  reply.raw.once('close', gone);
  request.raw.once('aborted', gone);
  return abort.signal;
}

function toGenerateRequest(body: ChatBody): GenerateRequest {
  return {
    model: body.model,
    messages: body.messages.map((message) => ({ role: message.role === 'developer' ? 'system' : message.role, content: message.content })),
    maxOutputTokens: body.max_completion_tokens ?? body.max_tokens,
    temperature: body.temperature,
    stop: body.stop === undefined ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop],
    responseFormat: body.response_format?.type === 'json_object' ? 'json' : undefined,
  };
}

function completion(result: GenerateResult) {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: result.model,
    choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: openAIFinishReason(result.finishReason) }],
    usage: usageOf(result),
    agentd: { costUsd: result.costUsd, costUnknown: result.costUnknown, attempts: result.attempts },
  };
}

async function streamCompletion(
  services: Services,
  generateRequest: GenerateRequest,
  context: { flow: string; signal: AbortSignal },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // Admission errors (budget, unknown provider, fatal provider errors) still answer as plain JSON errors.
  const stream = await services.gateway.stream(generateRequest, context);
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({ id, object: 'chat.completion.chunk', created, model: stream.model, choices: [{ index: 0, delta, finish_reason: finishReason }] });
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (data: unknown) => raw.write(`data: ${JSON.stringify(data)}\n\n`);
  try {
    send(chunk({ role: 'assistant', content: '' }, null));
    for await (const text of stream.textStream) send(chunk({ content: text }, null));
    const result = await stream.result;
    send(chunk({}, openAIFinishReason(result.finishReason)));
    send({ id, object: 'chat.completion.chunk', created, model: stream.model, choices: [], usage: usageOf(result) });
    raw.write('data: [DONE]\n\n');
  } catch (error) {
    request.log.warn({ err: error }, 'chat completion stream failed');
    const code = error instanceof AgentdError ? error.code : 'AGENTD_ERR_PROVIDER';
    send(errorBody(code, errorMessage(error)));
  } finally {
    raw.end();
  }
  return reply;
}

function usageOf(result: GenerateResult) {
  return { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens, total_tokens: result.usage.promptTokens + result.usage.completionTokens };
}

function openAIFinishReason(reason: FinishReason): string {
  const names: Record<FinishReason, string> = { stop: 'stop', length: 'length', 'content-filter': 'content_filter', 'tool-calls': 'tool_calls', other: 'stop' };
  return names[reason];
}
