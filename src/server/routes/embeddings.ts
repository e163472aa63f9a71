import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiServices } from '../api-services.js';
import { noteCallTiming } from '../call-timing.js';
import { parseInput } from '../validate.js';
import { clientGone } from './client-gone.js';

/** OpenAI's embeddings request. Token arrays as input are refused: no provider of agentd's takes them alike. */
export const embeddingsBodySchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1)], {
      error: 'expected a string or an array of strings (token arrays are not supported: send the text)',
    }),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .strict();

/**
 * `POST /v1/embeddings`: OpenAI-compatible, for OpenAI-type and Ollama providers, through the same budget,
 * limiter (input tokens) and ledger as chat calls. `encoding_format: "base64"` is honoured (little-endian
 * float32, as OpenAI sends it); `user` goes to OpenAI-type providers and is refused by Ollama.
 */
export function embeddingRoutes(app: FastifyInstance, services: Pick<ApiServices, 'gateway'>): void {
  app.post('/v1/embeddings', async (request, reply) => {
    const body = parseInput(embeddingsBodySchema, request.body);
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const result = await services.gateway.embed(
      { model: body.model, input, dimensions: body.dimensions, user: body.user },
      { flow: 'api', signal: clientGone(request, reply), passThrough: true },
    );
    noteCallTiming(request, result.timing);
    return {
      object: 'list',
      data: result.embeddings.map((embedding, index) => ({
        object: 'embedding',
        index,
        embedding:
          body.encoding_format === 'base64'
            ? Buffer.from(new Float32Array(embedding).buffer).toString('base64')
            : embedding,
      })),
      model: result.model,
      usage: { prompt_tokens: result.usage.promptTokens, total_tokens: result.usage.promptTokens },
      agentd: { costUsd: result.costUsd },
    };
  });
}
