import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { AbortError, BadRequestError, BudgetError } from '../../src/errors.js';
import { CostLedger, type LedgerEntry } from '../../src/gateway/cost-ledger.js';
import { Gateway, type CallContext } from '../../src/gateway/gateway.js';
import type { LanguageModelProvider } from '../../src/gateway/language-model.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';
import { rateLimited, scriptedProvider, type ScriptedAnswer } from '../helpers/scripted-provider.js';
import { providerError } from '../../src/gateway/provider-errors.js';

const messages = [{ role: 'user' as const, content: 'Summarise this page.' }];

function gatewayWith(
  answers: ScriptedAnswer[],
  configOverrides: Record<string, unknown> = {},
  providerOptions: Partial<Parameters<typeof scriptedProvider>[0]> = {},
) {
  const clock = new ManualClock();
  const config = parseConfig(
    {
      providers: { openai: { type: 'openai', apiKey: 'sk-1234567890' } },
      models: { default: 'openai/gpt-4o-mini', actions: { ConductResearch: 'openai/gpt-4o' } },
      ...configOverrides,
    },
    { env: {} },
  );
  const { provider, calls } = scriptedProvider({ name: 'openai', answers, ...providerOptions });
  const ledger = new CostLedger(undefined);
  const gateway = new Gateway({
    config,
    providers: new Map<string, LanguageModelProvider>([['openai', provider]]),
    ledger,
    logger: silentLogger(),
    clock,
    retry: { random: () => 0 },
  });
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  const context: CallContext = {
    runId: 'run1',
    action: 'Summarize',
    emit: (type, data) => events.push({ type, data }),
  };
  return { gateway, provider, calls, ledger, clock, events, context };
}

/** Runs a gateway call while advancing the manual clock until it settles. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, stepMs = 100, maxSteps = 2000): Promise<T> {
  let done = false;
  const result = promise.finally(() => (done = true));
  result.catch(() => undefined);
  for (let step = 0; step < maxSteps && !done; step += 1) await clock.advance(stepMs);
  return result;
}

describe('the gateway', () => {
  it('returns the answer and records the provider-reported usage and cost in the ledger, to the token', async () => {
    const { gateway, ledger, events, context } = gatewayWith([
      { text: 'A summary', usage: { inputTokens: 1234, outputTokens: 321 } },
    ]);
    const result = await gateway.generate({ messages, maxOutputTokens: 500 }, context);
    expect(result).toMatchObject({
      text: 'A summary',
      model: 'openai/gpt-4o-mini',
      usage: { promptTokens: 1234, completionTokens: 321 },
      attempts: 1,
    });
    // gpt-4o-mini: $0.15 in, $0.60 out per million.
    expect(result.costUsd).toBeCloseTo((1234 * 0.15 + 321 * 0.6) / 1e6, 12);
    expect(ledger.runUsage('run1')).toEqual({
      calls: 1,
      promptTokens: 1234,
      completionTokens: 321,
      costUsd: result.costUsd,
    });
    expect(events.map((event) => event.type)).toEqual(['llm-call']);
    expect(events[0]!.data).toMatchObject({
      model: 'openai/gpt-4o-mini',
      promptTokens: 1234,
      completionTokens: 321,
      tokens: 1555,
      action: 'Summarize',
    });
  });

  it("passes on the provider's warnings about emulated settings, for a whole and a streamed answer", async () => {
    const warning = { type: 'emulated' as const, setting: 'response_format', details: 'by instruction' };
    const { gateway, context } = gatewayWith([{ text: '{}', warnings: [warning] }]);
    const whole = await gateway.generate({ messages, responseFormat: 'json' }, context);
    expect(whole.warnings).toEqual([warning]);
    const streamed = await gateway.stream({ messages, responseFormat: 'json' }, context);
    for await (const _part of streamed.parts);
    expect((await streamed.result).warnings).toEqual([warning]);
    const plain = gatewayWith([{ text: 'ok' }]);
    expect((await plain.gateway.generate({ messages }, plain.context)).warnings).toEqual([]);
  });

  it('gives a whole and a streamed answer every field of the call and of the answer, in the same order', async () => {
    const fields = ['model', 'usage', 'costUsd', 'costUnknown', 'attempts', 'timing'];
    fields.push('text', 'toolCalls', 'finishReason', 'choices', 'warnings', 'openAIFields');
    const { gateway, context } = gatewayWith([{ text: 'whole' }, { text: 'streamed' }]);
    const whole = await gateway.generate({ messages }, context);
    expect(Object.keys(whole)).toEqual(fields);
    expect(whole).toMatchObject({ text: 'whole', finishReason: 'stop', attempts: 1, costUnknown: false });
    const streamed = await gateway.stream({ messages }, context);
    for await (const _part of streamed.parts);
    expect(Object.keys(await streamed.result)).toEqual(fields);
  });

  it('requeues a 429 until it succeeds: the caller never sees it', async () => {
    const { gateway, calls, clock, ledger, context } = gatewayWith([
      rateLimited('Rate limit reached', {}, 1500),
      rateLimited('Please try again in 2s.', {}, 2000),
      { text: 'done' },
    ]);
    const result = await drive(clock, gateway.generate({ messages }, context));
    expect(result.text).toBe('done');
    expect(calls).toHaveLength(3);
    expect(result.attempts).toBe(3);
    const entry = ledger.totals().total;
    expect(entry.calls).toBe(1);
  });

  it('retries a 5xx with backoff, then gives up after the bounded attempts', async () => {
    const serverError = providerError('openai', 'server', 'boom', { status: 500 });
    const { gateway, calls, clock, context } = gatewayWith([serverError]);
    const error = await drive(clock, gateway.generate({ messages }, context)).catch((caught: unknown) => caught);
    expect(error).toBe(serverError);
    expect(calls).toHaveLength(5);
  });

  it('recovers from an overloaded provider after a few attempts', async () => {
    const overloaded = providerError('openai', 'overloaded', 'Overloaded', { status: 529 });
    const { gateway, calls, clock, context } = gatewayWith([overloaded, overloaded, { text: 'fine' }]);
    expect((await drive(clock, gateway.generate({ messages }, context))).text).toBe('fine');
    expect(calls).toHaveLength(3);
  });

  it.each([
    ['auth', 401],
    ['quota', 429],
    ['too-large', 429],
    ['bad-request', 400],
    ['not-found', 404],
  ] as const)('fails at once on %s without retrying', async (kind, status) => {
    const fatal = providerError('openai', kind, `fatal ${kind}`, { status });
    const { gateway, calls, context } = gatewayWith([fatal]);
    await expect(gateway.generate({ messages }, context)).rejects.toBe(fatal);
    expect(calls).toHaveLength(1);
  });

  it('does not make a call that could cross the run budget, and says so', async () => {
    const { gateway, calls, context } = gatewayWith([{ text: 'never' }]);
    // gpt-4o at $10 per million output: 100,000 output tokens could cost $1.
    const error = await gateway
      .generate({ model: 'openai/gpt-4o', messages, maxOutputTokens: 100_000 }, { ...context, budgetUsd: 0.5 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetError);
    expect((error as BudgetError).scope).toBe('run');
    expect((error as Error).message).toContain("run's budget of $0.5");
    expect(calls).toHaveLength(0);
  });

  it('checks the total budget against what has been spent', async () => {
    const { gateway, calls, context } = gatewayWith([{ usage: { inputTokens: 1_000_000, outputTokens: 0 } }], {
      budget: { totalUsd: 0.15 },
    });
    await gateway.generate({ messages, maxOutputTokens: 10 }, context);
    await expect(gateway.generate({ messages, maxOutputTokens: 10 }, context)).rejects.toThrow(
      /total budget of \$0.15 would be crossed/,
    );
    expect(calls).toHaveLength(1);
  });

  it('flags a model without a known price instead of calling it free', async () => {
    const { gateway, ledger, context } = gatewayWith([{ usage: { inputTokens: 100, outputTokens: 50 } }]);
    const result = await gateway.generate({ model: 'openai/some-new-model', messages }, context);
    expect(result.costUnknown).toBe(true);
    expect(ledger.totals().total).toMatchObject({
      promptTokens: 100,
      completionTokens: 50,
      costUsd: 0,
      costUnknown: true,
    });
  });

  it('uses config pricing over the built-in list', async () => {
    const { gateway, context } = gatewayWith([{ usage: { inputTokens: 1_000_000, outputTokens: 0 } }], {
      pricing: { 'openai/gpt-4o-mini': { input: 1, output: 2 } },
    });
    expect((await gateway.generate({ messages }, context)).costUsd).toBeCloseTo(1, 10);
  });

  it("picks the action's model from models.actions and rejects an unknown provider with a 400", async () => {
    const { gateway, calls } = gatewayWith([{}]);
    await gateway.generate({ messages }, { action: 'ConductResearch' });
    expect(calls[0]!.model).toBe('gpt-4o');
    const error = await gateway.generate({ model: 'nope/gpt-4o', messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toContain('unknown provider "nope"');
  });

  it('stops waiting and frees its place when the caller cancels during a backoff', async () => {
    const { gateway, clock, context } = gatewayWith([providerError('openai', 'server', 'boom', { status: 500 })]);
    const controller = new AbortController();
    const call = gateway.generate({ messages }, { ...context, signal: controller.signal });
    call.catch(() => undefined);
    await settle();
    controller.abort();
    await clock.advance(1);
    await expect(call).rejects.toBeInstanceOf(AbortError);
    expect(gateway.providersState()[0]).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("counts a call cancelled while the provider had it in its run's spend, as an estimate, but not one cancelled in the queue", async () => {
    const { gateway, provider, ledger, context, events } = gatewayWith([{}], {
      providers: { openai: { type: 'openai', apiKey: 'sk-1234567890', limits: { concurrency: 1 } } },
    });
    const lines: LedgerEntry[] = [];
    ledger.subscribe((entry) => lines.push(entry));
    // A provider that works until the caller cancels, then fails as the SDKs do.
    provider.chat = (_request, options = {}) =>
      new Promise((_resolve, reject) =>
        options.signal?.addEventListener('abort', () => reject(new AbortError('the call was cancelled')), {
          once: true,
        }),
      );
    const working = new AbortController();
    const queued = new AbortController();
    const first = gateway.generate({ messages }, { ...context, signal: working.signal });
    const second = gateway.generate({ messages }, { ...context, signal: queued.signal });
    await settle();
    expect(gateway.providersState()[0]).toMatchObject({ inFlight: 1, queued: 1 });
    queued.abort();
    working.abort();
    await expect(first).rejects.toBeInstanceOf(AbortError);
    await expect(second).rejects.toBeInstanceOf(AbortError);
    // Only the call the provider had, on a line of its own: its prompt estimated, nothing generated that anyone saw.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ runId: 'run1', completionTokens: 0, estimated: true });
    const estimate = lines[0]!.promptTokens;
    expect(estimate).toBeGreaterThan(5);
    // The run's spend counts it at gpt-4o-mini's input price, $0.15 a million tokens (its budget sees it); its
    // token counts stay what providers reported.
    expect(ledger.runUsage('run1')).toEqual({
      calls: 1,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: expect.closeTo((estimate * 0.15) / 1e6, 12),
    });
    expect(events.find((event) => event.type === 'llm-call')?.data).toMatchObject({ tokens: 0, estimated: true });
  });

  it('emits llm-wait with the reason when the limiter held a call back', async () => {
    // OpenAI's accounting: prompt + max_tokens stay charged, so the second call must wait for the bucket.
    const { gateway, clock, events, context } = gatewayWith(
      [{}],
      { providers: { openai: { type: 'openai', apiKey: 'sk-1234567890', limits: { tpm: 6000 } } } },
      { accounting: 'prompt-plus-max-tokens' },
    );
    // Burst 300 tokens; each call reserves its prompt plus 250 output tokens.
    const first = gateway.generate({ messages, maxOutputTokens: 250 }, context);
    const second = gateway.generate({ messages, maxOutputTokens: 250 }, context);
    await drive(clock, Promise.all([first, second]));
    const wait = events.find((event) => event.type === 'llm-wait');
    expect(wait?.data).toMatchObject({ provider: 'openai', reason: 'tokens' });
    expect(wait?.data.ms).toBeGreaterThan(0);
  });

  it('streams text and settles usage into the ledger once the stream ends', async () => {
    const { gateway, ledger, context } = gatewayWith([
      { text: 'streamed answer', usage: { inputTokens: 40, outputTokens: 3 } },
    ]);
    const stream = await gateway.stream({ messages }, context);
    let text = '';
    for await (const part of stream.parts) if (part.type === 'text-delta') text += part.text;
    expect(text).toBe('streamed answer');
    expect((await stream.result).usage).toEqual({ promptTokens: 40, completionTokens: 3 });
    expect(ledger.runUsage('run1')).toMatchObject({ calls: 1, promptTokens: 40, completionTokens: 3 });
  });

  it('counts a stream its reader left mid-way as an estimate, and one read to its end once, as reported', async () => {
    const { gateway, ledger, context } = gatewayWith([
      { text: 'twelve chars', usage: { inputTokens: 40, outputTokens: 3 } },
    ]);
    const lines: LedgerEntry[] = [];
    ledger.subscribe((entry) => lines.push(entry));
    const left = await gateway.stream({ messages }, context);
    for await (const part of left.parts) if (part.type === 'text-delta') break;
    await expect(left.result).rejects.toBeInstanceOf(AbortError);
    // What had streamed, 12 characters at about 4 a token, beside the prompt's estimate.
    expect(lines).toEqual([expect.objectContaining({ completionTokens: 3, estimated: true })]);
    const read = await gateway.stream({ messages }, context);
    for await (const part of read.parts) if (part.type === ('finish' as string)) break;
    await read.result;
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ promptTokens: 40, completionTokens: 3 });
    expect(lines[1]).not.toHaveProperty('estimated');
    expect(gateway.providersState()[0]).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('pauses a 429 without retry hints until the exhausted limit resets, as its headers say', async () => {
    const exhausted = rateLimited('Rate limit reached', {
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '2.5s',
      'x-ratelimit-limit-tokens': '60000',
    });
    const { gateway, calls, clock, context } = gatewayWith([exhausted, { text: 'after the reset' }]);
    const call = gateway.generate({ messages }, context);
    await clock.advance(2_400);
    expect(calls).toHaveLength(1);
    await clock.advance(200);
    expect((await call).text).toBe('after the reset');
    expect(calls).toHaveLength(2);
  });
});
