import { z } from 'zod';

/** The events that end a run: a run's stream closes after one, and a follower stops. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set(['run-completed', 'run-failed', 'run-cancelled']);

export const runEventSchema = z.object({
  seq: z.number().int().positive(),
  runId: z.string(),
  at: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** `{"seq": 1, "runId": "...", "at": "ISO", "type": "...", "data": {...}}`, `seq` increasing per run. */
export type RunEvent = z.infer<typeof runEventSchema>;
