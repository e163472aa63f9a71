import { ProviderError } from '../../src/errors.js';
import type {
  ChatRequest,
  ChatResult,
  ChatStream,
  FinishReason,
  LanguageModelProvider,
  LimitAccounting,
} from '../../src/gateway/language-model.js';
import { providerError } from '../../src/gateway/provider-errors.js';

/** One answer, the first choice's fields flattened for brevity. */
export type ScriptedReply = Partial<Omit<ChatResult, 'choices'> & { text: string; finishReason: FinishReason }>;
export type ScriptedAnswer = ScriptedReply | ProviderError | ((request: ChatRequest) => Promise<ScriptedReply>);

/**
 * An in-process implementation of our provider interface that answers from a script, for gateway logic tests
 * that need an injected clock (the SDKs themselves are tested against wire servers in test/providers/).
 */
export function scriptedProvider(options: {
  name?: string;
  type?: string;
  accounting?: LimitAccounting;
  builtInPricing?: boolean;
  answers: ScriptedAnswer[];
}) {
  const calls: ChatRequest[] = [];
  const answers = [...options.answers];
  const provider: LanguageModelProvider = {
    name: options.name ?? 'scripted',
    type: options.type ?? 'openai',
    limitAccounting: options.accounting ?? 'actual-usage',
    openAITokenizer: true,
    builtInPricing: options.builtInPricing ?? true,
    check() {},
    async chat(request: ChatRequest, callOptions = {}): Promise<ChatResult> {
      calls.push(request);
      const next = answers.length > 1 ? answers.shift() : answers[0];
      if (next instanceof ProviderError) throw next;
      if (callOptions.signal?.aborted) throw new Error('aborted');
      const {
        text = 'ok',
        finishReason = 'stop',
        ...rest
      } = typeof next === 'function' ? await next(request) : (next ?? {});
      return {
        choices: [{ text, toolCalls: [], finishReason }],
        usage: { inputTokens: 10, outputTokens: 5 },
        model: request.model,
        headers: {},
        ...rest,
      };
    },
    async stream(request: ChatRequest, callOptions = {}): Promise<ChatStream> {
      const result = await provider.chat(request, callOptions);
      return {
        headers: result.headers,
        ...(result.warnings ? { warnings: result.warnings } : {}),
        parts: (async function* () {
          const first = result.choices[0]!;
          yield { type: 'text-delta' as const, choice: 0, text: first.text };
          yield { type: 'finish' as const, finishReason: first.finishReason, usage: result.usage, model: result.model };
        })(),
      };
    },
  };
  return { provider, calls };
}

export function rateLimited(
  message = 'Rate limit reached',
  headers: Record<string, string> = {},
  retryAfterMs?: number,
): ProviderError {
  return providerError('scripted', 'rate-limited', message, {
    status: 429,
    headers,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
