import { z } from 'zod';

/** The event types of CONTRACT.md. */
export const RUN_EVENT_TYPES = [
  'run-queued',
  'run-started',
  'action-start',
  'action-end',
  'llm-call',
  'llm-wait',
  'message-published',
  'source-summarized',
  'run-completed',
  'run-failed',
  'run-cancelled',
] as const;

export const runEventSchema = z.object({
  seq: z.number().int().positive(),
  runId: z.string(),
  at: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** `{"seq": 1, "runId": "...", "at": "ISO", "type": "...", "data": {...}}`, `seq` increasing per run. */
export type RunEvent = z.infer<typeof runEventSchema>;
