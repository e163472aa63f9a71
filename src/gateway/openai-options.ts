/**
 * OpenAI-only parameters with a value that asks for nothing beyond the default (`n: 1`, `logprobs: false`,
 * `modalities: ["text"]`...): any provider honours those by doing what it always does, so they are never
 * refused. Clients send some of them on every request.
 */
export function isNoOpOption(key: string, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (key) {
    case 'n':
      return value === 1;
    case 'logprobs':
    case 'store':
      return value === false;
    case 'modalities':
      return Array.isArray(value) && value.length === 1 && value[0] === 'text';
    case 'logit_bias':
    case 'metadata':
      return typeof value === 'object' && Object.keys(value as object).length === 0;
    case 'service_tier':
      return value === 'auto' || value === 'default';
    default:
      return false;
  }
}
