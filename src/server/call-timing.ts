import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallTiming } from '../gateway/generate-types.js';

const timings = new WeakMap<FastifyRequest, CallTiming>();

/** Notes where a request's provider call spent its time, for the timing headers. */
export function noteCallTiming(request: FastifyRequest, timing: CallTiming): void {
  timings.set(request, timing);
}

/**
 * The headers every answer carries, for a reply being sent now: `x-agentd-queue-ms`, the time waited for
 * limits; `x-agentd-overhead-ms`, the time spent in agentd outside the provider call and that wait; and
 * `x-request-id`, the `reqId` of the request's log lines (the openai SDK shows it as `_request_id`, and as
 * `requestID` on its errors), so that a client's failure can be found in the daemon's log.
 */
export function answerHeaders(request: FastifyRequest, reply: FastifyReply): Record<string, string> {
  const timing = timings.get(request) ?? { queuedMs: 0, providerMs: 0 };
  // fastify's own early errors (`frameworkErrors`) have no start time: nothing was spent there yet.
  const elapsed = reply.elapsedTime;
  const overhead = Number.isFinite(elapsed) ? Math.max(0, elapsed - timing.queuedMs - timing.providerMs) : 0;
  // One literal of three headers: every answer builds it, and a header added to it later takes an allocation more.
  return {
    'x-agentd-queue-ms': timing.queuedMs.toFixed(0),
    'x-agentd-overhead-ms': overhead.toFixed(2),
    'x-request-id': request.id,
  };
}

/** The timing headers' values, as `answerHeaders` writes them, for an answer written straight to a socket. */
export function timingHeaderValues(queuedMs: number, overheadMs: number): Record<string, string> {
  return { 'x-agentd-queue-ms': queuedMs.toFixed(0), 'x-agentd-overhead-ms': overheadMs.toFixed(2) };
}

/** Adds `answerHeaders` to every answer fastify sends (streams hijack the reply and add them themselves). */
export function registerAnswerHeaders(app: FastifyInstance): void {
  // A callback hook, not an async one: every answer runs it, and a promise per answer is measurable.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.headers(answerHeaders(request, reply));
    done(null, payload);
  });
}
