import Anthropic from '@anthropic-ai/sdk';
import type {
  MessageCreateParamsNonStreaming,
  MessageCreateParamsStreaming,
} from '@anthropic-ai/sdk/resources/messages';
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStream,
  ChatStreamPart,
  ChatUsage,
  FinishReason,
  LanguageModelProvider,
  ProviderFactory,
  ToolCall,
} from '../src/gateway/language-model.js';
import { anthropicParams, anthropicWarnings, checkAnthropicRequest, schemaToolName } from './anthropic-wire.js';
import { headersToRecord, missingKeyError } from '../src/gateway/provider-errors.js';
import { normalizeSdkError } from './sdk-errors.js';
import { hasBuiltInPricing } from '../src/config/provider-types.js';
import { toAbortSignal } from '../src/gateway/cancel-signal.js';
import { chatUsage } from '../src/gateway/chat-usage.js';

/**
 * Anthropic's Messages API through the official SDK, retries off (the gateway owns them). The translation
 * of OpenAI-style requests (tools, images, json_schema) is in anthropic-wire.ts.
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
    builtInPricing: hasBuiltInPricing('anthropic', options.baseURL),

    check(request: ChatRequest): void {
      checkAnthropicRequest(provider, request);
    },

    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
      ensureKey();
      checkAnthropicRequest(provider, request);
      const schemaTool = schemaToolName(request);
      try {
        const body = { ...anthropicParams(request), stream: false } as unknown as MessageCreateParamsNonStreaming;
        const { data, response } = await client.messages
          .create(body, { signal: toAbortSignal(callOptions.signal) })
          .withResponse();
        let text = '';
        let schemaAnswer: string | undefined;
        const toolCalls: ToolCall[] = [];
        for (const block of data.content) {
          if (block.type === 'text') text += block.text;
          else if (block.type === 'tool_use' && block.name === schemaTool) schemaAnswer ??= JSON.stringify(block.input);
          else if (block.type === 'tool_use')
            toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        }
        // With a json_schema format the answer is the forced tool's input alone: text beside it (a preamble)
        // would make the content invalid JSON for the client that asked for JSON.
        if (schemaAnswer !== undefined) text = schemaAnswer;
        // The forced schema tool is how the answer was shaped, not a tool call the client made.
        const reason =
          schemaTool !== undefined && data.stop_reason === 'tool_use' ? 'stop' : finishReason(data.stop_reason);
        return {
          choices: [{ text, toolCalls, finishReason: reason }],
          usage: anthropicUsage(data.usage, data.usage.output_tokens),
          model: data.model,
          headers: headersToRecord(response.headers),
          warnings: anthropicWarnings(request),
        };
      } catch (error) {
        throw normalize(options.name, error);
      }
    },

    async stream(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatStream> {
      ensureKey();
      checkAnthropicRequest(provider, request);
      const schemaTool = schemaToolName(request);
      const open = async () => {
        const body = { ...anthropicParams(request), stream: true } as unknown as MessageCreateParamsStreaming;
        return client.messages.create(body, { signal: toAbortSignal(callOptions.signal) }).withResponse();
      };
      const { data: events, response } = await open().catch((error: unknown) => {
        throw normalize(options.name, error);
      });
      async function* parts(): AsyncGenerator<ChatStreamPart> {
        let reason: FinishReason = 'other';
        let input: AnthropicUsage = { input_tokens: 0 };
        let outputTokens = 0;
        let model = request.model;
        // Content block index -> tool call index (OpenAI numbers tool calls from 0), or 'schema' for the forced tool.
        const toolBlocks = new Map<number, number | 'schema'>();
        // With a json_schema format, text is held back: the answer is the forced tool's input alone (as in
        // `chat`), and the text is sent only if the model never called that tool.
        let heldText: string | undefined = schemaTool === undefined ? undefined : '';
        try {
          for await (const event of events) {
            if (event.type === 'message_start') {
              model = event.message.model;
              input = event.message.usage;
              outputTokens = event.message.usage.output_tokens;
            } else if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
              const block = event.content_block;
              if (block.name === schemaTool) {
                // The first call of the schema tool is the answer; a second (which the request rules out) is not
                // run into it, as `chat` keeps only the first too.
                if (![...toolBlocks.values()].includes('schema')) toolBlocks.set(event.index, 'schema');
                heldText = undefined;
              } else {
                const index = [...toolBlocks.values()].filter((value) => value !== 'schema').length;
                toolBlocks.set(event.index, index);
                yield { type: 'tool-call-delta', choice: 0, index, id: block.id, name: block.name, argumentsDelta: '' };
              }
            } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
              if (schemaTool === undefined) yield { type: 'text-delta', choice: 0, text: event.delta.text };
              else if (heldText !== undefined) heldText += event.delta.text;
            } else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
              const target = toolBlocks.get(event.index);
              if (target === 'schema') yield { type: 'text-delta', choice: 0, text: event.delta.partial_json };
              else if (target !== undefined)
                yield { type: 'tool-call-delta', choice: 0, index: target, argumentsDelta: event.delta.partial_json };
            } else if (event.type === 'message_delta') {
              reason =
                schemaTool !== undefined && event.delta.stop_reason === 'tool_use'
                  ? 'stop'
                  : finishReason(event.delta.stop_reason);
              // message_delta's usage is cumulative for the whole message.
              outputTokens = event.usage.output_tokens;
              input = { ...input, ...definedCounts(event.usage) };
            }
          }
        } catch (error) {
          throw normalize(options.name, error);
        }
        if (heldText) yield { type: 'text-delta', choice: 0, text: heldText };
        yield { type: 'choice-finish', choice: 0, finishReason: reason };
        yield { type: 'finish', finishReason: reason, usage: anthropicUsage(input, outputTokens), model };
      }
      return { headers: headersToRecord(response.headers), parts: parts(), warnings: anthropicWarnings(request) };
    },

    async listModels(callOptions: CallOptions = {}): Promise<string[]> {
      ensureKey();
      try {
        const ids: string[] = [];
        // Anthropic pages by `after_id`; the SDK's page iterator follows it.
        for await (const model of client.models.list({}, { signal: toAbortSignal(callOptions.signal) }))
          ids.push(model.id);
        return ids;
      } catch (error) {
        throw normalize(options.name, error);
      }
    },
  };
  return provider;
};

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
  return normalizeSdkError(provider, error, Anthropic, (apiError) => {
    const body = apiError.error as { error?: { type?: string; message?: string } } | undefined;
    return { code: body?.error?.type, message: body?.error?.message ?? apiError.message };
  });
}

/** The prompt counts of Anthropic's usage (a message's, or a stream's message_start or message_delta). */
interface AnthropicUsage {
  input_tokens: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_1h_input_tokens?: number | null } | null;
}

/** A message_delta's counts, without the nulls it sends for counts it does not repeat. */
function definedCounts(usage: AnthropicUsage): AnthropicUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => value != null)) as unknown as AnthropicUsage;
}

/**
 * Anthropic's `input_tokens` leaves out the prompt tokens written to or read from its prompt cache: the
 * usage counts them all (as OpenAI's `prompt_tokens` does), the cost weighs them as Anthropic bills them
 * (writes 1.25 times the input price, 2 times for a one-hour cache; reads 0.1 times), the limiter charges
 * what Anthropic's limits count (not the reads), and clients see the reads as OpenAI's
 * `prompt_tokens_details.cached_tokens`.
 */
function anthropicUsage(usage: AnthropicUsage, outputTokens: number): ChatUsage {
  const uncached = usage.input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  const read = usage.cache_read_input_tokens ?? 0;
  if (written === 0 && read === 0) return chatUsage(uncached, outputTokens);
  const writtenForAnHour = Math.min(written, usage.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  return chatUsage(
    uncached + written + read,
    outputTokens,
    { prompt_tokens_details: { cached_tokens: read } },
    uncached + 1.25 * (written - writtenForAnHour) + 2 * writtenForAnHour + 0.1 * read,
    // Anthropic's input-token limits count cache writes but not reads (for current models).
    uncached + written,
  );
}
