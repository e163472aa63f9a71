import { z } from 'zod';

/**
 * The events of a run, CONTRACT.md's "Events": one zod schema per event type and its `data`. This module
 * imports nothing of ours, so every layer that emits (gateway, team, actions, run manager), the OpenAPI
 * document, the CLI and the dashboard share it.
 */

const usage = z.object({
  calls: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.number(),
  costUnknown: z.boolean().optional(),
});

// Strict objects: a field an emitter adds without adding it here fails the e2e test that parses every event.
const eventData = {
  'run-queued': z.strictObject({
    position: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("place in the queue, 1 = next (absent in cluster mode: the cluster's queue is shared)"),
    topic: z.string().optional().describe('on submission'),
    language: z.string().optional().describe('on submission'),
    resumed: z
      .boolean()
      .optional()
      .describe('queued again by a resume, a restart, once the disk had space, or after its cluster member left'),
    after: z
      .enum(['store-full', 'member-lost', 'member-stopped'])
      .optional()
      .describe('member-lost: its cluster member died mid-run; member-stopped: its member was stopped'),
    member: z.string().nullable().optional().describe('member-lost: the cluster member that was executing it'),
  }),
  'run-started': z.strictObject({
    resumed: z.boolean().describe('steps of an earlier execution are replayed'),
    stepsStored: z.number().int().nonnegative(),
    team: z.array(z.string()),
  }),
  'action-start': z.strictObject({ role: z.string(), action: z.string() }),
  'action-end': z.strictObject({
    role: z.string(),
    action: z.string(),
    ms: z.number(),
    ok: z.boolean(),
    error: z.string().optional(),
    cancelled: z
      .literal(true)
      .optional()
      .describe('ended by the run being cancelled or stopped, not by a failure of its own'),
  }),
  'llm-call': z.strictObject({
    provider: z.string(),
    model: z.string().describe('provider/model'),
    action: z.string().optional(),
    promptTokens: z.number(),
    completionTokens: z.number(),
    tokens: z.number(),
    costUsd: z.number(),
    cost: z.number().describe('costUsd again, under the name CONTRACT.md gives it (llm-call: model, tokens, cost, ms)'),
    costUnknown: z.boolean(),
    ms: z.number(),
    attempts: z.number().int(),
    cached: z.literal(true).optional().describe('replayed from the cross-run cache: no tokens spent'),
    estimated: z
      .literal(true)
      .optional()
      .describe("ended without the provider's usage (cancelled, or a stream cut off): its cost is an estimate"),
  }),
  'llm-wait': z.strictObject({
    provider: z.string(),
    model: z.string(),
    ms: z.number().describe('rate limiter delay'),
    reason: z.string().describe('why it waited'),
    action: z.string().optional(),
  }),
  'message-published': z.strictObject({
    role: z.string(),
    cause: z.string().describe('the action that produced the message'),
    to: z.array(z.string()),
    content: z.string().describe('its first 200 characters'),
  }),
  'source-summarized': z.strictObject({
    url: z.string(),
    title: z.string(),
    query: z.string(),
    relevant: z.boolean(),
    tokens: z.number().int(),
  }),
  'run-completed': z.strictObject({
    usage,
    sources: z.number().int(),
    errors: z.number().int(),
    replayedSteps: z.number().int(),
  }),
  'run-failed': z.strictObject({ code: z.string(), message: z.string(), usage: usage.optional() }),
  'run-cancelled': z.strictObject({
    usage: usage.optional(),
    while: z.enum(['queued', 'waiting for space']).optional(),
  }),
};

type EventDataSchemas = typeof eventData;

/** Every event type, in CONTRACT.md's order. */
export type RunEventType = keyof EventDataSchemas;

/** The `data` of one event type. */
export type RunEventData<T extends RunEventType> = z.infer<EventDataSchemas[T]>;

const envelope = {
  seq: z.number().int().positive().describe('increasing per run'),
  runId: z.string(),
  at: z.string().describe('ISO time'),
};

function variant<T extends RunEventType>(type: T) {
  return z.object({ ...envelope, type: z.literal(type), data: eventData[type] });
}

/** An event as clients receive it: `{"seq", "runId", "at", "type", "data"}`, `data` typed by `type`. */
export const runEventSchema = z.discriminatedUnion('type', [
  variant('run-queued'),
  variant('run-started'),
  variant('action-start'),
  variant('action-end'),
  variant('llm-call'),
  variant('llm-wait'),
  variant('message-published'),
  variant('source-summarized'),
  variant('run-completed'),
  variant('run-failed'),
  variant('run-cancelled'),
]);

export type RunEvent = z.infer<typeof runEventSchema>;

/**
 * How the store reads a run's persisted log: the envelope only, so that a data dir written by an earlier
 * version (whose events may lack a later field) still replays.
 */
export const storedRunEventSchema = z.object({
  ...envelope,
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** Reports an event of `type` with its typed `data`; a wrong or missing field is a compile error. */
export type EmitEvent = <T extends RunEventType>(type: T, data: RunEventData<T>) => void;

/** The events that end a run's execution: a run's stream closes after one, and a follower stops. */
export type TerminalEventType = 'run-completed' | 'run-failed' | 'run-cancelled';

export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set<TerminalEventType>([
  'run-completed',
  'run-failed',
  'run-cancelled',
]);

/** True for the last event of an execution. */
export function isTerminalEvent(event: { type: string }): event is { type: TerminalEventType } {
  return TERMINAL_EVENT_TYPES.has(event.type);
}
