import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

/** Parses client input with a zod schema; a failure is a 400 naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what = 'body'): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : what;
    return `${field}: ${issue.message}`;
  });
  // OpenAI's `param`: the first bad field, as its clients show it (`messages.0.content`).
  const first = result.error.issues[0]?.path;
  const param = first && first.length > 0 ? first.map(String).join('.') : undefined;
  throw new BadRequestError(`invalid ${what}: ${problems.join('; ')}`, { cause: result.error, param });
}
