import { describe, expect, it } from 'vitest';
import { Cancellation, toAbortSignal } from '../../src/gateway/cancel-signal.js';

describe('Cancellation', () => {
  it('calls each listener once, in the order added, with the reason set', () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    cancellation.addEventListener('abort', () => seen.push(`first ${String(cancellation.reason)}`));
    cancellation.addEventListener('abort', () => seen.push('second'));
    cancellation.abort('gone');
    cancellation.abort('again');
    expect(seen).toEqual(['first gone', 'second']);
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toBe('gone');
  });

  it('does not call a listener removed before it aborts, nor one added after, as an AbortSignal does', () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    const removed = () => seen.push('removed');
    cancellation.addEventListener('abort', removed);
    cancellation.addEventListener('abort', () => seen.push('kept'));
    cancellation.removeEventListener('abort', removed);
    cancellation.abort(new Error('gone'));
    cancellation.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual(['kept']);
  });

  it('gives the vendor SDKs an AbortSignal that aborts with it, made before or after it aborted', () => {
    const early = new Cancellation();
    const signal = toAbortSignal(early);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal?.aborted).toBe(false);
    early.abort('gone');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe('gone');

    const late = new Cancellation();
    late.abort('already');
    expect(toAbortSignal(late)?.reason).toBe('already');
  });

  it('passes an AbortSignal through as it is', () => {
    const controller = new AbortController();
    expect(toAbortSignal(controller.signal)).toBe(controller.signal);
    expect(toAbortSignal(undefined)).toBeUndefined();
  });
});
