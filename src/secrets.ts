/**
 * The daemon's secrets (API keys, the bearer token) and the one function that removes them from text.
 * Every log line passes through `scrubSecrets` (see logger.ts), and so does every error message that may
 * quote a provider's answer, so a key never reaches a log, an event, a run record or a response.
 */

const secrets = new Set<string>();

/** Registers values that must never be written anywhere. Short values are ignored: they would mangle text. */
export function registerSecrets(...values: Array<string | undefined>): void {
  for (const value of values) if (value && value.length >= 8) secrets.add(value);
}

/** Replaces every registered secret in `text` with `[redacted]`. */
export function scrubSecrets(text: string): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('[redacted]');
  return result;
}
