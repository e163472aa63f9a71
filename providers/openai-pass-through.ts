import OpenAI from 'openai';
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStream,
  EmbedRequest,
  EmbedResult,
  PassThroughCalls,
} from '../src/gateway/language-model.js';
import {
  chatResultFrom,
  chunkFromCompletion,
  embedBody,
  embedResultFrom,
  isCompletion,
  partsFrom,
  type WireChunk,
  type WireCompletion,
  type WireEmbeddings,
} from './openai-answers.js';
import type { OpenAIHttp } from './openai-http.js';
import { openAIBody } from './openai-wire.js';

/**
 * The OpenAI provider's pass-through: the OpenAI-compatible API's fast path (`LanguageModelProvider.passThrough`).
 * The same requests as the SDK calls in `openai.ts` (`openAIBody`), the same results (`openai-answers.ts`) and
 * the same errors (the SDK's classes, through the same `normalize`), sent by `OpenAIHttp` without the SDK's
 * per-call work. One difference: a stream cancelled mid-way ends in an AbortError, where the SDK's ended
 * quietly (undici) or as a failed connection (node-fetch.ts).
 */
export function createOpenAIPassThrough(
  http: OpenAIHttp,
  options: { official: boolean; ensureKey: () => void; normalize: (error: unknown) => Error },
): PassThroughCalls {
  const { official, ensureKey, normalize } = options;
  return {
    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
      ensureKey();
      try {
        // `openAIBody` builds a new object: set on it rather than spread it with more fields, a shape Node 20's V8
        // allocates in the old generation, where it keeps the young objects it points to (see `queueRequest`).
        const body = openAIBody(request, official);
        body.stream = false;
        const { data, headers } = await http.postJson<WireCompletion>('chat/completions', body, callOptions.signal);
        return chatResultFrom(data, headers);
      } catch (error) {
        throw normalize(error);
      }
    },

    async stream(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatStream> {
      ensureKey();
      const { signal } = callOptions;
      // Usage is always asked for upstream: the ledger needs it whatever the client asked for.
      const body = openAIBody(request, official);
      body.stream = true;
      body.stream_options = { include_usage: true };
      const { data: events, headers } = await http
        .postEvents('chat/completions', body, signal)
        .catch((error: unknown) => {
          throw normalize(error);
        });
      async function* parts() {
        try {
          yield* partsFrom(chunksOf(events), request.model);
        } catch (error) {
          // A cancelled call's body fails with a reset socket: that is the cancellation, not the provider.
          throw normalize(signal?.aborted ? new OpenAI.APIUserAbortError() : error);
        }
      }
      return { headers, parts: parts() };
    },

    async embed(request: EmbedRequest, callOptions: CallOptions = {}): Promise<EmbedResult> {
      ensureKey();
      try {
        const { data, headers } = await http.postJson<WireEmbeddings>(
          'embeddings',
          embedBody(request),
          callOptions.signal,
        );
        return embedResultFrom(data, headers);
      } catch (error) {
        throw normalize(error);
      }
    },
  };
}

/** The chunks of an event stream, as the SDK's `Stream` yields them: to `[DONE]`, a server's error event thrown. */
async function* chunksOf(events: AsyncIterable<string>): AsyncGenerator<WireChunk> {
  let done = false;
  for await (const data of events) {
    // Read to the end after [DONE], as the SDK does, so that the connection is reused.
    if (done) continue;
    if (data.startsWith('[DONE]')) {
      done = true;
      continue;
    }
    const chunk = JSON.parse(data) as WireChunk & { error?: unknown };
    // The SDK's error without a status, as it threw it: normalised as a failed connection.
    if (chunk?.error) throw new OpenAI.APIError(undefined, chunk.error, undefined, undefined);
    // A server that does not stream answered the whole completion (openai-http.ts): streamed as one chunk.
    yield isCompletion(chunk) ? chunkFromCompletion(chunk) : chunk;
  }
}
