import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { SAFETY_MARGIN_MS } from '../../src/gateway/limit-gate.js';
import { RateLimiter, type Lease } from '../../src/gateway/rate-limiter.js';
import { readRateLimitHeaders } from '../../src/gateway/rate-limit-headers.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';

/** Starts an acquire and reports whether it has been granted yet. */
function track(promise: Promise<Lease>) {
  const state: { lease?: Lease; error?: unknown } = {};
  promise.then(
    (lease) => (state.lease = lease),
    (error: unknown) => (state.error = error),
  );
  return state;
}

describe('the rate limiter', () => {
  it('dispatches while the token bucket has room and queues what does not fit', async () => {
    const clock = new ManualClock();
    // 6,000 TPM = 100 tokens/s; a 3 s burst holds 300.
    const limiter = new RateLimiter({ tpm: 6000 }, clock);
    const first = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 200 }));
    const second = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 200 }));
    await settle();
    expect(first.lease).toBeDefined();
    expect(second.lease).toBeUndefined();
    // 100 left, 200 needed: 1 s at 100 tokens/s, plus the safety margin.
    await clock.advance(1000);
    expect(second.lease).toBeUndefined();
    await clock.advance(SAFETY_MARGIN_MS);
    expect(second.lease?.waitedMs).toBe(1000 + SAFETY_MARGIN_MS);
    expect(second.lease?.waitReason).toBe('tokens');
  });

  it('admits a request larger than the burst once the bucket is full, and makes the next wait out the debt', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tpm: 6000 }, clock);
    const big = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 1300 }));
    const next = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 100 }));
    await settle();
    expect(big.lease).toBeDefined();
    // Level 300 - 1300 = -1000; the next 100 needs 11 s of refill (plus the margin).
    await clock.advance(11_000);
    expect(next.lease).toBeUndefined();
    await clock.advance(SAFETY_MARGIN_MS);
    expect(next.lease).toBeDefined();
  });

  it('refunds the part of a reservation the provider did not charge', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tpm: 6000 }, clock);
    const lease = await limiter.acquire({ flow: 'a', model: 'm', tokens: 300 });
    const next = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 200 }));
    await settle();
    expect(next.lease).toBeUndefined();
    lease.succeeded(100);
    await settle();
    expect(next.lease).toBeDefined();
  });

  it('lowers its level to what the provider says remains, minus what was sent after', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tpm: 60_000 }, clock);
    const first = await limiter.acquire({ flow: 'a', model: 'm', tokens: 100 });
    const second = await limiter.acquire({ flow: 'a', model: 'm', tokens: 100 });
    // Burst 3,000; 2,800 left by our count, but the provider says 500 remain when it answered the first.
    first.succeeded(
      100,
      readRateLimitHeaders({ 'x-ratelimit-remaining-tokens': '500', 'x-ratelimit-limit-tokens': '60000' }, clock.now()),
    );
    second.succeeded(100);
    expect(limiter.state().tokensAvailable).toBe(400);
  });

  it('pauses every request after a 429 until the hint, then resumes', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({}, clock);
    const lease = await limiter.acquire({ flow: 'a', model: 'm', tokens: 10 });
    lease.rateLimited(2_000, {});
    const retry = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 10, retryOf: lease }));
    const other = track(limiter.acquire({ flow: 'b', model: 'm', tokens: 10 }));
    await clock.advance(1_999);
    expect(retry.lease).toBeUndefined();
    expect(other.lease).toBeUndefined();
    expect(limiter.state().pausedUntil).not.toBeNull();
    await clock.advance(1);
    expect(retry.lease?.waitReason).toBe('paused');
    // The 429 also halved the in-flight cap (to 1 here), so the other run goes when the retry is done.
    expect(other.lease).toBeUndefined();
    retry.lease?.succeeded(10);
    await settle();
    expect(other.lease).toBeDefined();
  });

  it('learns a token limit from headers and from a 429 text when none is configured', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({}, clock);
    const lease = await limiter.acquire({ flow: 'a', model: 'm', tokens: 10 });
    lease.succeeded(
      10,
      readRateLimitHeaders({ 'x-ratelimit-limit-tokens': '90000', 'x-ratelimit-limit-requests': '500' }, clock.now()),
    );
    expect(limiter.state().limits).toEqual({ tpm: 90000, rpm: 500, concurrency: null });
    expect(limiter.state().learned).toEqual({ tpm: true, rpm: true });

    const other = new RateLimiter({}, clock);
    const bounced = await other.acquire({ flow: 'a', model: 'm', tokens: 10 });
    bounced.rateLimited(1000, { tpm: 30000 });
    expect(other.state().limits.tpm).toBe(30000);
  });

  it('halves the in-flight cap after a 429 and raises it again with successes', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ concurrency: 8 }, clock);
    const leases = await Promise.all(
      Array.from({ length: 8 }, () => limiter.acquire({ flow: 'a', model: 'm', tokens: 1 })),
    );
    leases[0]!.rateLimited(0, {});
    expect(limiter.state().concurrencyCap).toBe(4);
    for (const lease of leases.slice(1)) lease.succeeded(1);
    for (let round = 0; round < 40; round += 1)
      (await limiter.acquire({ flow: 'a', model: 'm', tokens: 1 })).succeeded(1);
    expect(limiter.state().concurrencyCap).toBe(8);
  });

  it('holds requests beyond the concurrency limit until one is released', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ concurrency: 2 }, clock);
    const first = await limiter.acquire({ flow: 'a', model: 'm', tokens: 1 });
    await limiter.acquire({ flow: 'a', model: 'm', tokens: 1 });
    const third = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 1 }));
    await settle();
    expect(third.lease).toBeUndefined();
    first.failed();
    await settle();
    expect(third.lease?.waitReason).toBe('concurrency');
  });

  it("serves another run's small call before one run's backlog of large ones", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ concurrency: 1 }, clock);
    const order: string[] = [];
    const take = (flow: string, tokens: number, label: string) =>
      limiter.acquire({ flow, model: 'm', tokens }).then((lease) => {
        order.push(label);
        // Each call finishes on the next tick, freeing the single slot.
        setImmediate(() => lease.succeeded(tokens));
      });
    const all = [
      ...Array.from({ length: 5 }, (_, index) => take('big-run', 10_000, `big${index}`)),
      take('small-run', 200, 'small'),
    ];
    await Promise.all(all);
    // The first big call was dispatched before the small one arrived; the small one goes next.
    expect(order.slice(0, 2)).toEqual(['big0', 'small']);
  });

  it('drops a cancelled request from the queue with an AbortError', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ concurrency: 1 }, clock);
    const holder = await limiter.acquire({ flow: 'a', model: 'm', tokens: 1 });
    const controller = new AbortController();
    const cancelled = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 1, signal: controller.signal }));
    const waiting = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 1 }));
    controller.abort();
    await settle();
    expect(cancelled.error).toBeInstanceOf(AbortError);
    expect(limiter.queued).toBe(1);
    holder.succeeded(1);
    await settle();
    expect(waiting.lease).toBeDefined();
  });

  it('listens to a signal only while its request waits: one admitted at once adds no listener', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ concurrency: 1 }, clock);
    const listened: string[] = [];
    const signal = (name: string) => {
      const controller = new AbortController();
      const add = controller.signal.addEventListener.bind(controller.signal);
      controller.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
        listened.push(name);
        add(...args);
      };
      return { controller, signal: controller.signal };
    };
    const first = signal('admitted at once');
    const holder = await limiter.acquire({ flow: 'a', model: 'm', tokens: 1, signal: first.signal });
    const second = signal('waiting');
    const waiting = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 1, signal: second.signal }));
    await settle();
    expect(listened).toEqual(['waiting']);
    // The admitted request's signal has nothing to cancel; the waiting one's still leaves the queue.
    first.controller.abort();
    second.controller.abort();
    await settle();
    expect(waiting.error).toBeInstanceOf(AbortError);
    expect(limiter.queued).toBe(0);
    holder.succeeded(1);
  });

  it("gives a failed call's whole reservation back", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tpm: 6000 }, clock);
    const lease = await limiter.acquire({ flow: 'a', model: 'm', tokens: 300 });
    expect(limiter.state().tokensAvailable).toBe(0);
    lease.failed();
    expect(limiter.state().tokensAvailable).toBe(300);
  });

  it("applies a model's own limits on top of the provider's", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tpm: 600_000, models: { 'gpt-4o': { tpm: 6000 } } }, clock);
    await limiter.acquire({ flow: 'a', model: 'gpt-4o', tokens: 300 });
    const limited = track(limiter.acquire({ flow: 'a', model: 'gpt-4o', tokens: 300 }));
    const other = track(limiter.acquire({ flow: 'b', model: 'gpt-4o-mini', tokens: 300 }));
    await settle();
    expect(limited.lease).toBeUndefined();
    await clock.advance(3000 + SAFETY_MARGIN_MS);
    expect(limited.lease).toBeDefined();
    expect(other.lease).toBeDefined();
  });

  it("does not let one model's own limit hold back another model's requests", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tpm: 600_000, models: { 'gpt-4o': { tpm: 6000 } } }, clock);
    await limiter.acquire({ flow: 'a', model: 'gpt-4o', tokens: 300 });
    // Same flow, so the gpt-4o request is ahead in fair order; it waits for its model's bucket.
    const limited = track(limiter.acquire({ flow: 'a', model: 'gpt-4o', tokens: 300 }));
    const other = track(limiter.acquire({ flow: 'a', model: 'gpt-4o-mini', tokens: 300 }));
    await settle();
    expect(limited.lease).toBeUndefined();
    expect(other.lease).toBeDefined();
    await clock.advance(3000 + SAFETY_MARGIN_MS);
    expect(limited.lease?.waitReason).toBe('tokens');
  });

  it('keeps strict order for the provider-wide limit, so a large request is not starved by small ones', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tpm: 6000 }, clock);
    await limiter.acquire({ flow: 'a', model: 'm', tokens: 300 });
    const large = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 300 }));
    const small = track(limiter.acquire({ flow: 'a', model: 'm', tokens: 10 }));
    await settle();
    expect(large.lease).toBeUndefined();
    expect(small.lease).toBeUndefined();
    await clock.advance(3000 + SAFETY_MARGIN_MS);
    expect(large.lease).toBeDefined();
  });
});
