import Anthropic from '@anthropic-ai/sdk';
import { ProviderError } from '../src/errors.js';
import type { CallOptions, ChatMessage, ChatRequest, ChatResult, ChatStream, ChatStreamPart, FinishReason, LanguageModelProvider, ProviderFactory } from '../src/gateway/language-model.js';
import { abortError, headersToRecord, missingKeyError, providerHttpError, providerNetworkError } from '../src/gateway/provider-errors.js';

/** Anthropic has no JSON mode; this instruction is what its documentation recommends instead. */
const JSON_INSTRUCTION = 'Answer with a single JSON object and nothing else: no prose, no code fences.';

/**
 * Anthropic's Messages API through the official SDK, retries off (the gateway owns them). System messages
 * become the `system` parameter; consecutive messages of one role are merged, as the API requires turns
 * to alternate.
 */
export const createAnthropicProvider: ProviderFactory = (options) => {
  const client = new Anthropic({
    apiKey: options.apiKey ?? 'missing',
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    defaultHeaders: options.headers,
    timeout: options.timeoutMs ?? 600_000,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const ensureKey = () => {
    if (!options.apiKey) throw missingKeyError(options.name, options.missingApiKeyEnv);
  };

  const provider: LanguageModelProvider = {
    name: options.name,
    type: 'anthropic',
    // Anthropic counts input tokens on admission and output tokens as they are generated.
    limitAccounting: 'actual-usage',
    openAITokenizer: false,
    builtInPricing: true,

    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
      ensureKey();
      try {
        const { data, response } = await client.messages.create({ ...params(request), stream: false }, { signal: callOptions.signal }).withResponse();
        const text = data.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
        return {
          text,
          finishReason: finishReason(data.stop_reason),
          usage: { inputTokens: data.usage.input_tokens, outputTokens: data.usage.output_tokens },
          model: data.model,
          headers: headersToRecord(response.headers),
        };
      } catch (error) {
        throw normalize(options.name, error);
      }
    },

    async stream(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatStream> {
      ensureKey();
      let opened;
      try {
        opened = await client.messages.create({ ...params(request), stream: true }, { signal: callOptions.signal }).withResponse();
      } catch (error) {
        throw normalize(options.name, error);
      }
      const { data: events, response } = opened;
      async function* parts(): AsyncGenerator<ChatStreamPart> {
        let reason: FinishReason = 'other';
        let inputTokens = 0;
        let outputTokens = 0;
        let model = request.model;
        try {
          for await (const event of events) {
            if (event.type === 'message_start') {
              model = event.message.model;
              inputTokens = event.message.usage.input_tokens;
              outputTokens = event.message.usage.output_tokens;
            } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
              yield { type: 'text-delta', text: event.delta.text };
            } else if (event.type === 'message_delta') {
              reason = finishReason(event.delta.stop_reason);
              // message_delta's usage is cumulative for the whole message.
              outputTokens = event.usage.output_tokens;
              if (event.usage.input_tokens != null) inputTokens = event.usage.input_tokens;
            }
          }
        } catch (error) {
          throw normalize(options.name, error);
        }
        yield { type: 'finish', finishReason: reason, usage: { inputTokens, outputTokens }, model };
      }
      return { headers: headersToRecord(response.headers), parts: parts() };
    },

    async listModels(callOptions: CallOptions = {}): Promise<string[]> {
      ensureKey();
      try {
        const ids: string[] = [];
        // Anthropic pages by `after_id`; the SDK's page iterator follows it.
        for await (const model of client.models.list({}, { signal: callOptions.signal })) ids.push(model.id);
        return ids;
      } catch (error) {
        throw normalize(options.name, error);
      }
    },
  };
  return provider;
};

function params(request: ChatRequest) {
  const system = request.messages.filter((message) => message.role === 'system').map((message) => message.content);
  if (request.responseFormat === 'json') system.push(JSON_INSTRUCTION);
  return {
    model: request.model,
    max_tokens: request.maxOutputTokens,
    messages: alternate(request.messages.filter((message) => message.role !== 'system')),
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
    ...(request.temperature === undefined ? {} : { temperature: Math.min(1, request.temperature) }),
    ...(request.stop === undefined ? {} : { stop_sequences: request.stop }),
  };
}

/** Merges consecutive messages of one role and makes sure the conversation opens with the user. */
function alternate(messages: ChatMessage[]): Array<{ role: 'user' | 'assistant'; content: string }> {
  const turns: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const last = turns.at(-1);
    if (last && last.role === role) last.content += `\n\n${message.content}`;
    else turns.push({ role, content: message.content });
  }
  if (turns[0]?.role !== 'user') turns.unshift({ role: 'user', content: '(continue)' });
  return turns;
}

function finishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

function normalize(provider: string, error: unknown): Error {
  if (error instanceof ProviderError) return error;
  if (error instanceof Anthropic.APIUserAbortError) return abortError(error);
  if (error instanceof Anthropic.APIConnectionTimeoutError) return providerNetworkError(provider, error, true);
  if (error instanceof Anthropic.APIConnectionError) return providerNetworkError(provider, error, false);
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    return providerHttpError(provider, error.status, body?.error?.type, body?.error?.message ?? error.message, headersToRecord(error.headers), error);
  }
  if (error instanceof Error && error.name === 'AbortError') return abortError(error);
  return providerNetworkError(provider, error, false);
}
