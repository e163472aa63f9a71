import type { z } from 'zod';
import { errorMessage } from '../errors.js';
import type { ChatMessage } from '../gateway/language-model.js';
import type { RoleContext } from '../team/role-context.js';
import { isFatalForRun } from './run-fatal.js';

/**
 * Finds the JSON in a model's answer: the whole text, else a fenced ```json block, else the first balanced
 * {...} or [...] with prose around it. Throws when there is none.
 */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = /```(?:json|JSON)?\s*([\s\S]*?)```/.exec(trimmed);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const balanced = firstBalanced(trimmed);
  if (balanced) candidates.push(balanced);
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch {
      // Try the next reading.
    }
  }
  throw new SyntaxError(`no JSON found in the answer: ${trimmed.slice(0, 80)}`);
}

function firstBalanced(text: string): string | undefined {
  const start = text.search(/[[{]/);
  if (start === -1) return undefined;
  const stack: string[] = [];
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === '{' || character === '[') stack.push(character === '{' ? '}' : ']');
    else if (character === '}' || character === ']') {
      if (stack.pop() !== character) return undefined;
      if (stack.length === 0) return text.slice(start, index + 1);
    }
  }
  return undefined;
}

export interface StructuredRequest<T> {
  action: string;
  messages: ChatMessage[];
  schema: z.ZodType<T>;
  maxOutputTokens: number;
  /** The deterministic answer when the model's stays invalid; recorded in the run's errors. */
  fallback: () => T;
  /** What the fallback does, for the run's errors ("the topic as its own keyword"). */
  fallbackDescription: string;
}

/**
 * Asks for a JSON answer and validates it with zod. An invalid answer gets one repair retry that shows the
 * model its validation error; if that fails too, or the call itself fails, the deterministic fallback is
 * used and the problem recorded. A malformed answer never fails a run. Cancellation, a crossed budget and a
 * provider refusing every call (bad key, quota) do propagate: they are the run's fate, not an answer's.
 */
export async function askStructured<T>(context: RoleContext, request: StructuredRequest<T>): Promise<T> {
  const messages = [...request.messages];
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    let text: string;
    try {
      text = (
        await context.llm(request.action, {
          messages,
          maxOutputTokens: request.maxOutputTokens,
          temperature: 0,
          responseFormat: 'json',
        })
      ).text;
    } catch (error) {
      if (isFatalForRun(error)) throw error;
      problem = `the model call failed: ${errorMessage(error)}`;
      break;
    }
    try {
      const parsed = request.schema.safeParse(extractJson(text));
      if (parsed.success) {
        if (attempt === 2)
          context.recordError({ stage: request.action, message: `answer repaired after a retry (${problem})` });
        return parsed.data;
      }
      problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`).join('; ');
    } catch (error) {
      problem = errorMessage(error);
    }
    messages.push(
      { role: 'assistant', content: text },
      { role: 'user', content: `That answer is not valid: ${problem}. Answer again with only the corrected JSON.` },
    );
  }
  context.recordError({
    stage: request.action,
    message: `unusable model answer (${problem}); fell back to ${request.fallbackDescription}`,
  });
  return request.fallback();
}
