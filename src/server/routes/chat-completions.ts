import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiServices } from '../api-services.js';
import { AgentdError, errorMessage, ProviderError } from '../../errors.js';
import type { CallContext, GenerateRequest } from '../../gateway/gateway.js';
import { answerHeaders, noteCallTiming } from '../call-timing.js';
import { errorBody } from '../error-handler.js';
import { chatBodySchema, toGenerateRequest } from '../openai/chat-request.js';
import { ChunkWriter, completionBody } from '../openai/chat-response.js';
import { parseInput } from '../validate.js';
import { clientGone } from './client-gone.js';

/**
 * `POST /v1/chat/completions`: OpenAI-compatible, JSON or `stream: true` SSE, `model` as `provider/model`.
 * It goes through the same gateway as runs, so a local script shares the limiter, budget and ledger.
 */
export function chatCompletionRoutes(app: FastifyInstance, services: Pick<ApiServices, 'gateway' | 'config'>): void {
  // Its own body limit: images arrive inline as base64, far past the 1 MB that every other route takes.
  app.post('/v1/chat/completions', { bodyLimit: services.config.server.chatBodyLimit }, async (request, reply) => {
    const body = parseInput(chatBodySchema, request.body);
    const generateRequest = toGenerateRequest(body);
    // The provider's pass-through when it has one: the API's calls skip the SDK's per-call work.
    const context = { flow: 'api', signal: clientGone(request, reply), passThrough: true };
    if (!body.stream) {
      const result = await services.gateway.generate(generateRequest, context);
      noteCallTiming(request, result.timing);
      return completionBody(result);
    }
    return streamCompletion(
      services,
      generateRequest,
      context,
      body.stream_options?.include_usage === true,
      request,
      reply,
    );
  });
}

async function streamCompletion(
  services: Pick<ApiServices, 'gateway'>,
  generateRequest: GenerateRequest,
  context: CallContext,
  includeUsage: boolean,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // Admission errors (budget, unknown provider, refused parameters, fatal provider errors) still answer as plain JSON errors.
  const stream = await services.gateway.stream(generateRequest, context);
  noteCallTiming(request, stream.timing);
  const writer = new ChunkWriter(stream.model, includeUsage);
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...answerHeaders(request, reply),
  });
  const send = (data: unknown) => raw.write(`data: ${JSON.stringify(data)}\n\n`);
  try {
    for await (const part of stream.parts) for (const chunk of writer.chunksFor(part)) send(chunk);
    const usage = writer.usageChunk(await stream.result);
    if (usage) send(usage);
    raw.write('data: [DONE]\n\n');
  } catch (error) {
    if (!context.signal?.aborted) {
      request.log.warn({ err: error }, 'chat completion stream failed');
      // An error event (OpenAI's shape: clients raise it as an API error) that says what happened.
      const code = error instanceof AgentdError ? error.code : 'AGENTD_ERR_PROVIDER';
      const cause =
        error instanceof ProviderError
          ? `provider "${error.provider}" failed after the stream started: `
          : 'the stream failed after it started: ';
      send(errorBody(code, `${cause}${errorMessage(error)}`, { status: 502 }));
    }
  } finally {
    raw.end();
  }
  return reply;
}
