import type { FastifyRequest } from 'fastify';
import { BadRequestError } from '../errors.js';

/**
 * Refuses a request body holding a lone UTF-16 surrogate in any string (`"\ud800"` is valid JSON but no
 * text): stored, it would later make `GET /v1/runs` unreadable for strict JSON parsers. A preValidation
 * hook, so every route is covered, with the path of the first bad string.
 */
export async function refuseLoneSurrogates(request: FastifyRequest): Promise<void> {
  const path = findLoneSurrogate(request.body, 'body');
  if (path === undefined) return;
  // The field as OpenAI's errors name it in `param`: the path within the body.
  const param = path.replace(/^body\.?/, '').replace(/ \(a key\)$/, '') || undefined;
  throw new BadRequestError(`${path}: contains a lone surrogate (not valid Unicode text)`, { param });
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function findLoneSurrogate(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return isWellFormed(value) ? undefined : path;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findLoneSurrogate(value[index], `${path}[${index}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (!isWellFormed(key)) return `${path} (a key)`;
    const found = findLoneSurrogate(inner, `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
