/** Answers in the providers' own wire formats, for the local servers tests point the real SDKs at. */

/** An OpenAI chat completion saying `content`. */
export function openAICompletion(content = 'ok', usage = { prompt_tokens: 1, completion_tokens: 1 }) {
  return {
    id: 'x',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/** An Anthropic message made of `content` blocks. */
export function anthropicMessage(
  content: Array<Record<string, unknown>>,
  options: { stopReason?: string; model?: string; inputTokens?: number; outputTokens?: number } = {},
) {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude',
    content,
    stop_reason: options.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: options.inputTokens ?? 1, output_tokens: options.outputTokens ?? 1 },
  };
}

type SseEvent = { event: string; data: unknown };

/**
 * An Anthropic message stream around the content block events `blocks`: message_start (with the input
 * tokens), the blocks, message_delta (stop reason, cumulative output tokens) and message_stop.
 */
export function anthropicStream(
  blocks: SseEvent[],
  options: { model: string; inputTokens: number; outputTokens: number; stopReason: string },
): SseEvent[] {
  return [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          ...anthropicMessage([], { model: options.model, inputTokens: options.inputTokens }),
          stop_reason: null,
        },
      },
    },
    ...blocks,
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: options.stopReason, stop_sequence: null },
        usage: { output_tokens: options.outputTokens },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

/** A whole text block of an Anthropic stream, at `index`, its text in `pieces`. */
export function anthropicTextBlock(index: number, pieces: string[]): SseEvent[] {
  return [
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
    },
    ...pieces.map((text) => ({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } },
    })),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index } },
  ];
}
