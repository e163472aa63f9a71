import type { ChatContentPart, ChatMessage } from './language-model.js';
import { unsupportedParameter } from './provider-errors.js';

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

/**
 * Refuses what a provider that translates OpenAI's messages cannot send on: a participant's `name`, OpenAI-only
 * message fields and content parts. `checkPart` refuses what else the provider cannot take of a part (given
 * the part's parameter path, `messages[i].content[j]`).
 */
export function refuseOpenAIOnlyMessageFields(
  provider: { name: string; type: string },
  messages: readonly ChatMessage[],
  checkPart?: (part: ChatContentPart, param: string) => void,
): void {
  messages.forEach((message, index) => {
    if (message.name !== undefined) throw unsupportedParameter(provider, `messages[${index}].name`);
    const field = Object.keys(message.openAIFields ?? {})[0];
    if (field !== undefined) throw unsupportedParameter(provider, `messages[${index}].${field}`);
    message.parts?.forEach((part, partIndex) => {
      const param = `messages[${index}].content[${partIndex}]`;
      if (part.type === 'openai')
        throw unsupportedParameter(provider, param, `content part type "${String(part.part.type)}"`);
      checkPart?.(part, param);
    });
  });
}
