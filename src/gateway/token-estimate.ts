import { countTokens } from '../text/token-count.js';
import type { ChatMessage, ChatRequest } from './language-model.js';

/** What one image costs at most in OpenAI's accounting for a 1024 px tile set, rounded up; others count fewer. */
const IMAGE_TOKENS = 1_600;

/** Tokens OpenAI adds around each message and to prime the reply (its cookbook's count for chat models). */
const PER_MESSAGE_OVERHEAD = 4;
const REPLY_PRIMING = 3;

/** Texts up to this length are counted exactly: a few milliseconds at most. */
const EXACT_CHARACTERS = 65_536;
/**
 * Longer texts are estimated from this many evenly spaced samples of about `SAMPLE_CHARACTERS`, counted
 * exactly: 64 KiB of counting whatever the length. Many small samples rather than a few large ones: a page
 * mixing languages (tokens per character differ fourfold between English and Chinese) is then estimated
 * within 2-3% (a 16 x 2 KiB sampling was 5-9% off on the fixtures' pages).
 */
const SAMPLES = 64;
const SAMPLE_CHARACTERS = 1_024;
/** How far a sample's ends move to reach a space, so that no word is cut in two (and counted as two). */
const ALIGN_CHARACTERS = 32;

/**
 * o200k tokens of a prompt's text: exact up to `EXACT_CHARACTERS`, beyond that the tokens per character of
 * samples spread over the text, scaled to its length. Counting a 1 MB prompt exactly held the event loop,
 * and every other call of the proxy, for 0.2-0.5 s (1.7 s on a loaded machine); the estimate only reserves
 * the limiter's tokens and the budget before the call, and both are reconciled with the provider's reported
 * usage after it.
 */
export function openAIPromptTokens(text: string): number {
  if (text.length <= EXACT_CHARACTERS) return countTokens(text);
  const stride = (text.length - SAMPLE_CHARACTERS) / (SAMPLES - 1);
  let tokens = 0;
  let counted = 0;
  for (let sample = 0; sample < SAMPLES; sample += 1) {
    const start = nextSpace(text, Math.round(sample * stride));
    const sampleText = text.slice(start, nextSpace(text, start + SAMPLE_CHARACTERS));
    tokens += countTokens(sampleText);
    counted += sampleText.length;
  }
  return Math.ceil((tokens * text.length) / counted);
}

/** The first space at or after `index` within `ALIGN_CHARACTERS`, else `index` (text without spaces: CJK). */
function nextSpace(text: string, index: number): number {
  const space = text.indexOf(' ', index);
  return space !== -1 && space - index <= ALIGN_CHARACTERS ? space : Math.min(index, text.length);
}

/**
 * Estimates prompt tokens before a call. With an OpenAI tokenizer (o200k_base, as gpt-4o and later use) the
 * count is exact up to the message framing (sampled for a text over 64 KiB, `openAIPromptTokens`); for other
 * vendors, whose tokenizers we do not have, it is deliberately high (one token per 3 characters) so a
 * reservation never undershoots the provider's count.
 */
export function estimatePromptTokens(messages: readonly ChatMessage[], exact: boolean): number {
  let total = REPLY_PRIMING;
  for (const message of messages) {
    const calls = message.toolCalls?.map((call) => `${call.name}${call.arguments}`).join('') ?? '';
    const text = calls === '' ? message.content : `${message.content}${calls}`;
    const images = message.parts?.filter((part) => part.type !== 'text').length ?? 0;
    total +=
      PER_MESSAGE_OVERHEAD + images * IMAGE_TOKENS + (exact ? openAIPromptTokens(text) : Math.ceil(text.length / 3));
  }
  return total;
}

/** Tool definitions and a response schema are part of the prompt too (as JSON, roughly). */
export function estimateToolTokens(request: Pick<ChatRequest, 'tools' | 'responseFormat'>): number {
  const schema = typeof request.responseFormat === 'object' ? JSON.stringify(request.responseFormat.schema) : '';
  const tools = request.tools ? JSON.stringify(request.tools) : '';
  return Math.ceil((schema.length + tools.length) / 3);
}
