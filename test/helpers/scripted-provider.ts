import { ProviderError } from '../../src/errors.js';
import type { ChatRequest, ChatResult, ChatStream, LanguageModelProvider, LimitAccounting } from '../../src/gateway/language-model.js';

export type ScriptedAnswer = Partial<ChatResult> | ProviderError | ((request: ChatRequest) => Promise<Partial<ChatResult>>);

/**
 * An in-process implementation of our provider interface that answers from a script, for gateway logic tests
 * that need an injected clock (the SDKs themselves are tested against wire servers in test/providers/).
 */
export function scriptedProvider(options: { name?: string; type?: string; accounting?: LimitAccounting; builtInPricing?: boolean; answers: ScriptedAnswer[] }) {
  const calls: ChatRequest[] = [];
  const answers = [...options.answers];
  const provider: LanguageModelProvider = {
    name: options.name ?? 'scripted',
    type: options.type ?? 'openai',
    limitAccounting: options.accounting ?? 'actual-usage',
    openAITokenizer: true,
    builtInPricing: options.builtInPricing ?? true,
    async chat(request: ChatRequest, callOptions = {}): Promise<ChatResult> {
      calls.push(request);
      const next = answers.length > 1 ? answers.shift() : answers[0];
      if (next instanceof ProviderError) throw next;
      if (callOptions.signal?.aborted) throw new Error('aborted');
      const partial = typeof next === 'function' ? await next(request) : next ?? {};
      return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5 }, model: request.model, headers: {}, ...partial };
    },
    async stream(request: ChatRequest, callOptions = {}): Promise<ChatStream> {
      const result = await provider.chat(request, callOptions);
      return {
        headers: result.headers,
        parts: (async function* () {
          yield { type: 'text-delta' as const, text: result.text };
          yield { type: 'finish' as const, finishReason: result.finishReason, usage: result.usage, model: result.model };
        })(),
      };
    },
  };
  return { provider, calls };
}

export function rateLimited(message = 'Rate limit reached', headers: Record<string, string> = {}, retryAfterMs?: number): ProviderError {
  return new ProviderError('scripted', 'rate-limited', message, { status: 429, headers, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}
