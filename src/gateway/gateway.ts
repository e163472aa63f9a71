import type { Config } from '../config/load-config.js';
import { AbortError, BadRequestError, ProviderError } from '../errors.js';
import { abortReason } from './cancel-signal.js';
import { chatUsage } from './chat-usage.js';
import { noteFailedCallTiming } from './failed-call-timing.js';
import { abortError, providerError } from './provider-errors.js';
import type { Logger } from '../logger.js';
import { abortableDelay } from './abortable-delay.js';
import { BudgetGuard, type Budget, type BudgetHold } from './budget-guard.js';
import { systemClock, type Clock } from './clock.js';
import { recordCall, type CallRecord } from './call-record.js';
import { ProviderHealth } from './provider-health.js';
import type { CostLedger } from './cost-ledger.js';
import {
  DEFAULT_MAX_OUTPUT_TOKENS,
  type CallContext,
  type EmbedGenerateRequest,
  type EmbedGenerateResult,
  type GenerateRequest,
  type GenerateResult,
  type GenerateStreamPart,
  type StreamResult,
} from './generate-types.js';
import type { ChatRequest, ChatUsage, LanguageModelProvider, PassThroughCalls } from './language-model.js';
import { PriceList, costOf, type PriceLookup } from './pricing.js';
import { readLimitsFromMessage, readRateLimitHeaders, type RateLimitReading } from './rate-limit-headers.js';
import type { Lease, Limiter, LimiterFactory } from './limiter.js';
import { RateLimiter } from './rate-limiter.js';
import { backoffMs, defaultRetryPolicy, transientRetryDelay, type RetryPolicy } from './retry-policy.js';
import { estimatePromptTokens, estimateToolTokens } from './token-estimate.js';

/** The request and result types live apart from this implementation; callers may import them from here. */
export {
  DEFAULT_MAX_OUTPUT_TOKENS,
  type CallContext,
  type EmbedGenerateRequest,
  type EmbedGenerateResult,
  type GenerateRequest,
  type GenerateResult,
  type GenerateStreamPart,
  type StreamResult,
} from './generate-types.js';

export interface GatewayOptions {
  config: Pick<Config, 'providers' | 'pricing' | 'models' | 'budget'>;
  providers: ReadonlyMap<string, LanguageModelProvider>;
  ledger: CostLedger;
  logger: Logger;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  /** Builds each provider's limiter. @default a `RateLimiter` in this process */
  limiters?: LimiterFactory;
  /** Checks budgets. @default a `BudgetGuard` over the ledger */
  budget?: Budget;
}

interface Resolved {
  provider: LanguageModelProvider;
  limiter: Limiter;
  modelId: string;
  fullName: string;
}

interface Admission {
  lease: Lease;
  hold: BudgetHold;
  attempts: number;
  rateLimited: number;
  waitedMs: number;
  startedAt: number;
  /** The prompt's estimated tokens (tools and schema included), for a call that ends without usage. */
  promptEstimate: number;
}

/**
 * The one way to an LLM. Every call, from every run and every API client, is budgeted, queued fairly on its
 * provider's shared limiter, retried by one policy (SDK retries are off), and written to the ledger with
 * the tokens the provider reported.
 */
export class Gateway {
  readonly #providers: ReadonlyMap<string, LanguageModelProvider>;
  readonly #limiters = new Map<string, Limiter>();
  readonly #config: GatewayOptions['config'];
  readonly #prices: PriceList;
  readonly #ledger: CostLedger;
  readonly #budget: Budget;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #retry: RetryPolicy;
  /** Last success and failure of each provider, from these calls and the daemon's checks. */
  readonly health: ProviderHealth;

  constructor(options: GatewayOptions) {
    this.#providers = options.providers;
    this.#config = options.config;
    this.#prices = new PriceList(options.config.pricing);
    this.#ledger = options.ledger;
    this.#budget = options.budget ?? new BudgetGuard(options.ledger, options.config.budget.totalUsd);
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
    this.health = new ProviderHealth(this.#clock);
    const clock = this.#clock;
    const limiters = options.limiters ?? ((_provider, limits) => new RateLimiter(limits, clock));
    for (const name of this.#providers.keys()) {
      this.#limiters.set(name, limiters(name, options.config.providers[name]?.limits ?? {}));
    }
  }

  get ledger(): CostLedger {
    return this.#ledger;
  }

  /** Where a provider is called, for messages: its configured `baseURL`, else its SDK's default. */
  providerURL(name: string): string {
    const configured = Object.hasOwn(this.#config.providers, name) ? this.#config.providers[name]?.baseURL : undefined;
    return configured ?? `the ${this.#providers.get(name)?.type ?? 'provider'} SDK's default URL`;
  }

  /** The `provider/model` a call would use. Throws a 400 naming an unknown provider. */
  modelFor(model: string | undefined, action?: string): string {
    return this.#resolve(model, action).fullName;
  }

  /** Makes a call and returns its whole answer. */
  async generate(request: GenerateRequest, context: CallContext = {}): Promise<GenerateResult> {
    const resolved = this.#resolve(request.model, context.action);
    const chatRequest = this.#chatRequest(request, resolved);
    return this.#withAdmission(resolved, chatRequest, context, async (admission) => {
      const answer = await callsFor(resolved.provider, context).chat(chatRequest, { signal: context.signal });
      const providerMs = this.#clock.now() - admission.startedAt;
      const result = this.#settle(resolved, chatRequest, context, admission, answer.usage, answer.headers, providerMs);
      const first = answer.choices[0] ?? { text: '', toolCalls: [], finishReason: 'other' as const };
      return callResult(result, first, answer.choices, answer.warnings ?? [], answer.openAIFields);
    });
  }

  /** Makes a streamed call. Failures before the first token are retried like any call; later ones end the stream. */
  async stream(request: GenerateRequest, context: CallContext = {}): Promise<StreamResult> {
    const resolved = this.#resolve(request.model, context.action);
    const chatRequest = this.#chatRequest(request, resolved);
    let resolveResult!: (result: GenerateResult) => void;
    let rejectResult!: (error: unknown) => void;
    const result = new Promise<GenerateResult>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    // Nobody may be awaiting `result` when the stream fails: the parts' reader sees the error.
    result.catch(() => undefined);

    const opened = await this.#withAdmission(
      resolved,
      chatRequest,
      context,
      async (admission) => {
        const stream = await callsFor(resolved.provider, context).stream(chatRequest, { signal: context.signal });
        return { stream, admission, providerMs: this.#clock.now() - admission.startedAt };
      },
      { keepOpen: true },
    );

    const settle = this.#settle.bind(this);
    const gateway = this;
    const exactTokens = resolved.provider.openAITokenizer;
    const logger = this.#logger;
    async function* parts(): AsyncGenerator<GenerateStreamPart> {
      let finished = false;
      // What the answer has streamed so far, counted for the ledger should the stream end without its usage.
      let streamedCharacters = 0;
      try {
        for await (const part of opened.stream.parts) {
          if (part.type !== 'finish') {
            if (part.type === 'text-delta') streamedCharacters += part.text.length;
            else if (part.type === 'tool-call-delta')
              streamedCharacters += part.argumentsDelta.length + (part.name?.length ?? 0);
            yield part;
            continue;
          }
          finished = true;
          const settled = settle(
            resolved,
            chatRequest,
            context,
            opened.admission,
            part.usage,
            opened.stream.headers,
            opened.providerMs,
          );
          resolveResult(
            callResult(
              settled,
              { text: '', toolCalls: [], finishReason: part.finishReason },
              [],
              opened.stream.warnings ?? [],
            ),
          );
        }
        if (!finished)
          throw providerError(resolved.provider.name, 'server', 'the stream ended without a final message');
      } catch (error) {
        if (!finished) {
          // A caller that hung up is not a failure worth a warning (and a stack trace) in the log.
          if (context.signal?.aborted) logger.debug({ model: resolved.fullName }, 'stream cancelled by its caller');
          else logger.warn({ err: error, model: resolved.fullName }, 'stream failed after it started');
          rejectResult(error);
        }
        throw error;
      } finally {
        // Failed, cancelled, or left by its reader once it had begun to read: the provider may have charged for a
        // half-finished answer, so its limits and the ledger count the prompt and what had streamed.
        if (!finished) {
          gateway.#settleUnreported(
            resolved,
            chatRequest,
            context,
            opened.admission,
            streamedTokens(streamedCharacters, exactTokens),
          );
          // A reader that left without an error: whoever awaits the result learns that it will not come.
          rejectResult(new AbortError('the stream was closed before its end'));
        }
        opened.admission.release();
      }
    }
    return {
      model: resolved.fullName,
      parts: parts(),
      timing: { queuedMs: opened.admission.waitedMs, providerMs: opened.providerMs },
      result,
    };
  }

  /** Embeds texts through the same budget, limiter (input tokens) and ledger as chat calls. */
  async embed(request: EmbedGenerateRequest, context: CallContext = {}): Promise<EmbedGenerateResult> {
    const resolved = this.#resolve(request.model, context.action);
    const provider = resolved.provider;
    const calls = callsFor(provider, context);
    if (!calls.embed)
      throw new BadRequestError(`provider "${provider.name}" (${provider.type}) has no embeddings API`, {
        param: 'model',
      });
    const embed = calls.embed.bind(calls);
    const embedRequest = {
      model: resolved.modelId,
      input: request.input,
      dimensions: request.dimensions,
      user: request.user,
    };
    provider.checkEmbed?.(embedRequest);
    const estimate = request.input.reduce(
      (total, text) => total + estimatePromptTokens([{ role: 'user', content: text }], provider.openAITokenizer),
      0,
    );
    const chatRequest: ChatRequest = {
      model: resolved.modelId,
      messages: request.input.map((text) => ({ role: 'user', content: text })),
      maxOutputTokens: 0,
    };
    return this.#withAdmission(resolved, chatRequest, context, async (admission) => {
      const answer = await embed(embedRequest, { signal: context.signal });
      const providerMs = this.#clock.now() - admission.startedAt;
      const settled = this.#settle(
        resolved,
        chatRequest,
        context,
        admission,
        chatUsage(answer.inputTokens || estimate, 0),
        answer.headers,
        providerMs,
      );
      return {
        embeddings: answer.embeddings,
        model: resolved.fullName,
        usage: { promptTokens: settled.usage.promptTokens },
        costUsd: settled.costUsd,
        timing: settled.timing,
      };
    });
  }

  /**
   * Records an answer replayed from the cross-run cache: in the ledger as `cached` (history, not spend) and
   * as an `llm-call` event with zero cost, so a re-run shows what it saved.
   */
  recordCachedReplay(result: GenerateResult, context: CallContext): void {
    const slash = result.model.indexOf('/');
    recordCall(this.#ledger, context, {
      provider: result.model.slice(0, slash),
      model: result.model.slice(slash + 1),
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
      costUsd: 0,
      costUnknown: false,
      latencyMs: 0,
      attempts: 1,
      rateLimited: 0,
      waitedMs: 0,
      cached: true,
      at: new Date(this.#clock.now()),
    });
  }

  /** Limiter state per provider, for `/v1/providers` and `agentd status`. */
  providersState() {
    return [...this.#providers.values()].map((provider) => ({
      name: provider.name,
      type: provider.type,
      ...(this.#limiters.get(provider.name)?.state() ?? {}),
      health: this.health.state(provider.name),
    }));
  }

  #resolve(model: string | undefined, action: string | undefined): Resolved {
    const fullName = model ?? (action ? this.#config.models.actions[action] : undefined) ?? this.#config.models.default;
    const slash = fullName.indexOf('/');
    if (slash <= 0 || slash === fullName.length - 1)
      throw new BadRequestError(`model "${fullName}" must be named "provider/model" (GET /v1/models lists them)`, {
        param: 'model',
      });
    const providerName = fullName.slice(0, slash);
    const provider = this.#providers.get(providerName);
    const limiter = this.#limiters.get(providerName);
    if (!provider || !limiter) {
      throw new BadRequestError(
        `unknown provider "${providerName}" in model "${fullName}" (configured: ${[...this.#providers.keys()].join(', ')})`,
        { param: 'model' },
      );
    }
    return { provider, limiter, modelId: fullName.slice(slash + 1), fullName };
  }

  /** The provider's request; a parameter the provider cannot honour is a 400 here, before any limit is spent. */
  #chatRequest(request: GenerateRequest, resolved: Resolved): ChatRequest {
    const { model: _model, ...fields } = request;
    const chat: ChatRequest = { model: resolved.modelId, messages: request.messages };
    for (const [key, value] of Object.entries(fields))
      if (value !== undefined) (chat as unknown as Record<string, unknown>)[key] = value;
    resolved.provider.check(chat);
    return chat;
  }

  /**
   * Holds the budget, then runs `call` under a limiter lease, retrying 429s (requeued, with the provider's
   * pause) and transient failures (backoff), until it succeeds or fails for good.
   */
  async #withAdmission<T>(
    resolved: Resolved,
    chatRequest: ChatRequest,
    context: CallContext,
    call: (admission: Admission & { release(): void }) => Promise<T>,
    options: { keepOpen?: boolean } = {},
  ): Promise<T> {
    const estimate =
      estimatePromptTokens(chatRequest.messages, resolved.provider.openAITokenizer) + estimateToolTokens(chatRequest);
    const output = reservedOutputTokens(chatRequest);
    const reservation = estimate + output;
    const price = this.#prices.lookup(resolved.provider, resolved.modelId);
    const hold = await this.#budget.hold(
      costOf(price, estimate, output),
      context.runId ? { id: context.runId, budgetUsd: context.budgetUsd } : undefined,
      context.signal,
    );
    const flow = context.flow ?? context.runId ?? 'api';
    let lease: Lease | undefined;
    let attempts = 0;
    let rateLimited = 0;
    let waitedMs = 0;
    let kept = false;
    try {
      for (;;) {
        lease = await resolved.limiter.acquire({
          flow,
          model: resolved.modelId,
          tokens: reservation,
          signal: context.signal,
          retryOf: lease,
        });
        attempts += 1;
        waitedMs += lease.waitedMs;
        if (lease.waitedMs >= 20) {
          context.emit?.('llm-wait', {
            provider: resolved.provider.name,
            model: resolved.fullName,
            ms: lease.waitedMs,
            reason: lease.waitReason ?? 'queue',
            action: context.action,
          });
        }
        const admission = {
          lease,
          hold,
          attempts,
          rateLimited,
          waitedMs,
          startedAt: this.#clock.now(),
          promptEstimate: estimate,
          release: () => hold.release(),
        };
        const retryStartedAt = this.#clock.now();
        if (context.signal?.aborted) {
          // Cancelled between its lease and its call: the provider never had it.
          lease.failed();
          throw abortError(abortReason(context.signal));
        }
        try {
          const value = await call(admission);
          kept = options.keepOpen === true;
          return value;
        } catch (error) {
          if (context.signal?.aborted) {
            // Cancelled while the provider had the call, whatever error the provider's client made of that (an
            // SDK's own abort error, or the signal's reason): the provider bills the prompt.
            this.#settleUnreported(resolved, chatRequest, context, admission, 0);
            throw error instanceof AbortError ? error : abortError(error);
          }
          this.health.failed(resolved.provider.name, error, 'call');
          let delay: number;
          try {
            delay = this.#afterFailure(error, lease, rateLimited, attempts - rateLimited);
          } catch (final) {
            // The caller's wait (limits, earlier attempts, backoff), then this last attempt: not agentd's overhead.
            const providerMs = this.#clock.now() - retryStartedAt;
            noteFailedCallTiming(final, { queuedMs: waitedMs, providerMs });
            throw final;
          }
          if (error instanceof ProviderError && error.kind === 'rate-limited') rateLimited += 1;
          this.#logger.warn(
            { provider: resolved.provider.name, model: resolved.modelId, err: error, attempts, retryInMs: delay },
            'provider call failed; retrying',
          );
          if (delay > 0) await abortableDelay(this.#clock, delay, context.signal);
          // A failed attempt and its backoff are time the caller waited, not agentd's overhead.
          waitedMs += this.#clock.now() - retryStartedAt;
        }
      }
    } finally {
      if (!kept) hold.release();
    }
  }

  /**
   * Settles a call the provider had but reported no usage for: cancelled by its caller while the provider worked
   * on it (or, erring high, while its connection was still being made), or a stream that ended early. Providers
   * count such calls against their limits and bill them (the prompt, and what they generated), so the limiter
   * charges them as the provider counts, and the ledger and budgets count agentd's estimate, marked `estimated`.
   */
  #settleUnreported(
    resolved: Resolved,
    chatRequest: ChatRequest,
    context: CallContext,
    admission: Admission,
    outputTokens: number,
  ): void {
    const prompt = admission.promptEstimate;
    admission.lease.succeeded(limitCharge(resolved.provider, chatRequest, prompt, prompt, outputTokens));
    const price = this.#prices.lookup(resolved.provider, resolved.modelId);
    const costUsd = costOf(price, admission.promptEstimate, outputTokens);
    // Spend, not tokens: token totals are the providers' reports (cost-ledger.ts), here as in a shared budget.
    admission.hold.charge?.(costUsd, { promptTokens: 0, completionTokens: 0 });
    const call = this.#paidCall(resolved, admission, admission.promptEstimate, outputTokens, price, costUsd);
    call.estimated = true;
    recordCall(this.#ledger, context, call);
  }

  /** The ledger's record of a call the provider had, with the tokens and cost it is counted at. */
  #paidCall(
    resolved: Resolved,
    admission: Admission,
    promptTokens: number,
    completionTokens: number,
    price: PriceLookup,
    costUsd: number,
  ): CallRecord {
    const now = this.#clock.now();
    return {
      provider: resolved.provider.name,
      model: resolved.modelId,
      promptTokens,
      completionTokens,
      costUsd,
      costUnknown: price.kind === 'unknown',
      latencyMs: now - admission.startedAt,
      attempts: admission.attempts,
      rateLimited: admission.rateLimited,
      waitedMs: admission.waitedMs,
      cached: false,
      at: new Date(now),
    };
  }

  /** Settles a failed attempt's lease and returns how long to wait before the next one, or throws. */
  #afterFailure(error: unknown, lease: Lease, rateLimited: number, transientAttempts: number): number {
    if (!(error instanceof ProviderError) || !error.retryable) {
      // Aborts (providers throw AbortError), and what the normaliser decided fails again the same way.
      lease.failed();
      throw error;
    }
    const now = this.#clock.now();
    const reading = Object.keys(error.headers).length > 0 ? readRateLimitHeaders(error.headers, now) : undefined;
    if (error.kind === 'rate-limited') {
      // A 429 never reaches the caller while retries remain: the limiter pauses the provider and requeues.
      if (rateLimited + 1 > this.#retry.maxRateLimited) {
        lease.failed();
        throw error;
      }
      const pauseMs = error.retryAfterMs ?? exhaustedReset(reading) ?? backoffMs(this.#retry, rateLimited);
      lease.rateLimited(pauseMs, readLimitsFromMessage(error.message), reading);
      return 0;
    }
    lease.failed();
    const delay = transientRetryDelay(this.#retry, error, transientAttempts, now);
    if (delay === undefined) throw error;
    return delay;
  }

  #settle(
    resolved: Resolved,
    chatRequest: ChatRequest,
    context: CallContext,
    admission: Admission,
    usage: ChatUsage,
    headers: Record<string, string>,
    providerMs: number,
  ): Settled {
    const charged = limitCharge(
      resolved.provider,
      chatRequest,
      usage.inputTokens,
      usage.limitedInputTokens ?? usage.inputTokens,
      usage.outputTokens,
    );
    const reading: RateLimitReading = readRateLimitHeaders(headers, this.#clock.now());
    admission.lease.succeeded(charged, reading);
    this.health.succeeded(resolved.provider.name, 'call');
    const price: PriceLookup = this.#prices.lookup(resolved.provider, resolved.modelId);
    const costUsd = costOf(
      price,
      usage.billedInputTokens ?? usage.inputTokens,
      usage.outputTokens,
      usage.cachedInputTokens,
    );
    admission.hold.charge?.(costUsd, { promptTokens: usage.inputTokens, completionTokens: usage.outputTokens });
    recordCall(
      this.#ledger,
      context,
      this.#paidCall(resolved, admission, usage.inputTokens, usage.outputTokens, price, costUsd),
    );
    return {
      model: resolved.fullName,
      usage: {
        promptTokens: usage.inputTokens,
        completionTokens: usage.outputTokens,
        openAIDetails: usage.openAIDetails,
      },
      costUsd,
      costUnknown: price.kind === 'unknown',
      attempts: admission.attempts,
      timing: { queuedMs: admission.waitedMs, providerMs },
    };
  }
}

/** What `#settle` returns: a call's result without its answer. */
type Settled = Omit<GenerateResult, 'text' | 'toolCalls' | 'finishReason' | 'choices'>;

/**
 * A call's result, field by field in the order `{ ...settled, text, ... }` gave. Not that spread: Node 20's V8
 * allocates an object spread followed by more fields in the old generation, where its pointers keep the young
 * objects they reach (the answer, its choices) alive through every scavenge until a full collection
 * (`npm run bench:proxy-gc`; see `queueRequest`).
 */
function callResult(
  settled: Settled,
  first: Pick<GenerateResult, 'text' | 'toolCalls' | 'finishReason'>,
  choices: GenerateResult['choices'],
  warnings: NonNullable<GenerateResult['warnings']>,
  openAIFields?: Record<string, unknown> | undefined,
): GenerateResult {
  return {
    model: settled.model,
    usage: settled.usage,
    costUsd: settled.costUsd,
    costUnknown: settled.costUnknown,
    attempts: settled.attempts,
    timing: settled.timing,
    text: first.text,
    toolCalls: first.toolCalls,
    finishReason: first.finishReason,
    choices,
    warnings,
    openAIFields,
  };
}

/** Who makes a call: the provider's pass-through for the OpenAI-compatible API when it has one, else the provider. */
function callsFor(provider: LanguageModelProvider, context: CallContext): PassThroughCalls {
  return context.passThrough === true && provider.passThrough ? provider.passThrough : provider;
}

/** How many answers a request asks for (OpenAI's `n`). */
/**
 * The tokens a provider's limits count for a call, which the limiter charges: OpenAI counts a request's
 * max_tokens when it admits it; without one, and for the others, what was used (`limitedInputTokens` of the
 * prompt: Anthropic's limits leave out cache reads).
 */
function limitCharge(
  provider: Pick<LanguageModelProvider, 'limitAccounting'>,
  request: ChatRequest,
  inputTokens: number,
  limitedInputTokens: number,
  outputTokens: number,
): number {
  return provider.limitAccounting === 'prompt-plus-max-tokens' && request.maxOutputTokens !== undefined
    ? inputTokens + request.maxOutputTokens * choiceCount(request)
    : limitedInputTokens + outputTokens;
}

function choiceCount(request: ChatRequest): number {
  const n = request.openAIOptions?.n;
  return typeof n === 'number' && n > 1 ? n : 1;
}

/** Output tokens to reserve: the cap if the caller set one, else an estimate the provider's usage settles. */
function reservedOutputTokens(request: ChatRequest): number {
  return (request.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS) * choiceCount(request);
}

/** The reset time of whichever dimension the headers say is exhausted. */
function exhaustedReset(reading: RateLimitReading | undefined): number | undefined {
  if (!reading) return undefined;
  const resets = [reading.tokens, reading.requests]
    .filter(
      (dimension) => dimension.remaining !== undefined && dimension.remaining <= 0 && dimension.resetMs !== undefined,
    )
    .map((dimension) => dimension.resetMs as number);
  return resets.length > 0 ? Math.max(...resets) : undefined;
}

/**
 * The tokens of an answer's streamed characters: about 4 characters a token for OpenAI's tokenizers (English
 * prose; the text is not kept to count exactly), and as the prompt estimate does for others, 3, erring high.
 */
function streamedTokens(characters: number, openAITokenizer: boolean): number {
  return Math.ceil(characters / (openAITokenizer ? 4 : 3));
}
