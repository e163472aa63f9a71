import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startWireServer, type RecordedRequest, type WireServer } from './wire-server.js';

interface UpstreamBody {
  model: string;
  stream?: boolean;
  n?: number;
  messages: Array<{ role: string; content: unknown; tool_calls?: unknown[] }>;
  tools?: Array<{ function: { name: string } }>;
  response_format?: { type: string; json_schema?: { name: string } };
}

/** The JSON answer for a json_schema request: the tests ask for a person. */
export const PERSON = { name: 'Ada Lovelace', born: 1815 };

/**
 * A zero-latency OpenAI-compatible server that behaves like a model would for client tests: it calls the
 * first tool offered unless the conversation already has a tool result, answers a json_schema request with
 * `PERSON`, otherwise echoes the last user text; streamed or not, with usage, plus /models and /embeddings.
 */
export async function startOpenAIUpstream(): Promise<WireServer> {
  return startWireServer((request, response) => {
    if (request.url.endsWith('/models'))
      return sendJson(response, 200, {
        object: 'list',
        data: [
          { id: 'qwen', object: 'model', created: 1, owned_by: 'me' },
          { id: 'embedder', object: 'model', created: 1, owned_by: 'me' },
        ],
      });
    if (request.url.endsWith('/embeddings')) {
      const body = request.json<{ input: string[] }>();
      return sendJson(response, 200, {
        object: 'list',
        model: 'embedder',
        data: body.input.map((text, index) => ({ object: 'embedding', index, embedding: [text.length, 0.5, -1] })),
        usage: { prompt_tokens: 3 * body.input.length, total_tokens: 3 * body.input.length },
      });
    }
    return answerChat(request, response);
  });
}

function answerChat(request: RecordedRequest, response: ServerResponse): void {
  const body = request.json<UpstreamBody>();
  const last = body.messages.at(-1)!;
  // With the details OpenAI adds (cached and reasoning tokens), which clients read.
  const usage = {
    prompt_tokens: 11,
    completion_tokens: 7,
    total_tokens: 18,
    prompt_tokens_details: { cached_tokens: 4 },
    completion_tokens_details: { reasoning_tokens: 2 },
  };
  let message: {
    content: string | null;
    tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  };
  if (body.tools && body.tools.length > 0 && last.role !== 'tool') {
    message = {
      content: null,
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: body.tools[0]!.function.name, arguments: '{"city":"Paris"}' },
        },
      ],
    };
  } else if (body.response_format?.type === 'json_schema') {
    message = { content: JSON.stringify(PERSON) };
  } else {
    const text = typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
    message = { content: `echo: ${text}` };
  }
  const finish = message.tool_calls ? 'tool_calls' : 'stop';
  const choices = Array.from({ length: body.n ?? 1 }, (_, index) => index);
  if (!body.stream) {
    sendJson(response, 200, {
      id: 'up',
      object: 'chat.completion',
      created: 1,
      model: body.model,
      system_fingerprint: 'fp_up',
      service_tier: 'default',
      choices: choices.map((index) => ({
        index,
        message: { role: 'assistant', ...message },
        logprobs: null,
        finish_reason: finish,
      })),
      usage,
    });
    return;
  }
  // As OpenAI streams: its fingerprint and tier on every chunk, and a padding of its own on each.
  const head = {
    id: 'up',
    object: 'chat.completion.chunk',
    created: 1,
    model: body.model,
    system_fingerprint: 'fp_up',
    service_tier: 'default',
  };
  const chunk = (index: number, delta: object, finishReason: string | null) => ({
    data: { ...head, choices: [{ index, delta, finish_reason: finishReason }], obfuscation: 'x'.repeat(index + 3) },
  });
  const events = choices.flatMap((index) => {
    const parts = [chunk(index, { role: 'assistant', content: '' }, null)];
    if (message.tool_calls) {
      const call = message.tool_calls[0]!;
      parts.push(
        chunk(
          index,
          {
            tool_calls: [
              { index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
            ],
          },
          null,
        ),
      );
      parts.push(chunk(index, { tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }, null));
    } else {
      const text = message.content ?? '';
      const middle = Math.ceil(text.length / 2);
      parts.push(
        chunk(index, { content: text.slice(0, middle) }, null),
        chunk(index, { content: text.slice(middle) }, null),
      );
    }
    parts.push(chunk(index, {}, finish));
    return parts;
  });
  sendSse(response, [...events, { data: { ...head, choices: [], usage } }, { data: '[DONE]' }]);
}
