import type { ServerResponse } from 'node:http';
import { sendJson, startWireServer, type WireServer } from './wire-server.js';

export interface ScriptedLlmOptions {
  /** Share of requests answered with HTTP 500 (the gateway retries them), evenly spaced. */
  serverErrorRate?: number;
  /** Share of JSON answers sent malformed (the actions repair or fall back). */
  malformedRate?: number;
  /** Malform repair answers too (by default a repair request is answered well). */
  malformRepairs?: boolean;
  /** Keywords to answer KeywordExtract with. @default first two capitalised words of the topic */
  keywords?: string[];
  /** Delay before each answer. */
  latencyMs?: number;
  /** Markdown the report's findings end with, as a model quoting a hostile page might write. */
  reportAppendix?: string;
}

export interface ScriptedLlm extends WireServer {
  /** While set, calls recognised as this action (`*`: every call) are answered with this HTTP error (401 is final). */
  failing: { action: string; status: number } | undefined;
  /**
   * Every chat request received, with the action it was recognised as. `cancelledByClient` turns true when the
   * client hung up before the answer was written: a call it had sent and then aborted.
   */
  calls: Array<{ action: string; prompt: string; body: Record<string, unknown>; cancelledByClient: boolean }>;
  baseURL: string;
  /** Holds the answers to calls recognised as `action` until the returned release is called. */
  hold: (action: string) => () => void;
}

/**
 * An OpenAI-compatible chat server that plays the model for the research team: it recognises each action by
 * its prompt and answers as a model would (JSON where asked), with optional faults. Answers are derived from
 * the prompt, so they are deterministic.
 */
export async function startScriptedLlm(options: ScriptedLlmOptions = {}): Promise<ScriptedLlm> {
  // Faults hit exactly the given share of requests, evenly spaced, so a test's faults are the same every time.
  const counters = { requests: 0, json: 0 };
  const due = (counter: 'requests' | 'json', rate: number | undefined) => {
    counters[counter] += 1;
    const count = counters[counter];
    return rate !== undefined && rate > 0 && Math.floor(count * rate) !== Math.floor((count - 1) * rate);
  };
  const calls: ScriptedLlm['calls'] = [];
  const control: { failing: ScriptedLlm['failing'] } = { failing: undefined };
  const holds = new Map<string, Promise<void>>();
  const server = await startWireServer(async (request, response) => {
    const body = request.json<{ messages: Array<{ role: string; content: string }>; model: string }>();
    const prompt = body.messages.map((message) => message.content).join('\n');
    const action = recognise(prompt);
    const call = { action, prompt, body, cancelledByClient: false };
    calls.push(call);
    response.once('close', () => {
      if (!response.writableFinished) call.cancelledByClient = true;
    });
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    await holds.get(action);
    if (control.failing && (control.failing.action === action || control.failing.action === '*')) {
      sendJson(response, control.failing.status, {
        error: { message: `scripted failure of ${action}`, type: 'invalid_request_error', code: 'scripted' },
      });
      return;
    }
    if (due('requests', options.serverErrorRate)) {
      sendJson(response, 500, {
        error: { message: 'The server had an error while processing your request.', type: 'server_error' },
      });
      return;
    }
    let text = answer(action, prompt, body.messages, options);
    const isRepair = body.messages.some(
      (message) => message.role === 'user' && message.content.startsWith('That answer is not valid'),
    );
    if (JSON_ACTIONS.has(action) && (!isRepair || options.malformRepairs) && due('json', options.malformedRate))
      text = 'Sure! Here are my thoughts: {"keywords": [unquoted, oops';
    complete(response, body.model, text, prompt);
  });
  // defineProperty, not Object.assign: assign would copy the getter's value instead of the accessor.
  const hold = (action: string) => {
    let release = () => {};
    holds.set(action, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      holds.delete(action);
      release();
    };
  };
  const scripted = Object.assign(server, { calls, baseURL: `${server.url}/v1`, hold }) as ScriptedLlm;
  Object.defineProperty(scripted, 'failing', {
    get: () => control.failing,
    set: (value: ScriptedLlm['failing']) => {
      control.failing = value;
    },
  });
  return scripted;
}

const JSON_ACTIONS = new Set(['KeywordExtract', 'Queries', 'Rank']);

function recognise(prompt: string): string {
  if (prompt.includes('Give at most 2 keywords')) return 'KeywordExtract';
  if (prompt.includes('web search queries that together cover')) return 'Queries';
  if (prompt.includes('Drop the results that are irrelevant')) return 'Rank';
  if (prompt.includes('write background of at most 100 words')) return 'Wiki';
  if (prompt.includes('Merge them into one summary')) return 'Merge';
  if (prompt.includes('Summarise what this page says')) return 'Summarize';
  if (prompt.includes('Write a research report')) return 'Report';
  return 'Other';
}

function answer(
  action: string,
  prompt: string,
  messages: Array<{ role: string; content: string }>,
  options: ScriptedLlmOptions,
): string {
  switch (action) {
    case 'KeywordExtract': {
      const topic = /Topic:\n"""\n([\s\S]*?)\n"""/.exec(prompt)?.[1] ?? '';
      const keywords = options.keywords ?? (topic.match(/\b[A-Z][\w-]+/g) ?? ['research']).slice(0, 2);
      return `\`\`\`json\n${JSON.stringify({ keywords })}\n\`\`\``;
    }
    case 'Queries': {
      const keywords = [...prompt.matchAll(/Results for "([^"]+)"/g)].map((match) => match[1]);
      return JSON.stringify({
        queries: [...keywords.map((keyword) => `${keyword} facts and figures`), 'comparison overview'].slice(0, 4),
      });
    }
    case 'Rank': {
      // Keep every listed result but those that look like spam, in the order given.
      const entries = [...prompt.matchAll(/^(\d+)\. (.*)$/gm)].map((match) => ({
        index: Number(match[1]),
        title: match[2] ?? '',
      }));
      return `Here is the ranking: ${JSON.stringify({ ranking: entries.filter((entry) => !/casino|spam/i.test(entry.title)).map((entry) => entry.index) })}`;
    }
    case 'Wiki': {
      const title = /Wikipedia article "([^"]+)"/.exec(prompt)?.[1] ?? 'the subject';
      return `${title} is background for the topic: it is described in its encyclopedia article as an established subject with a documented history.`;
    }
    case 'Summarize': {
      const content = /passages most relevant to the query:[^\n]*\n"""\n([\s\S]*?)\n"""/.exec(prompt)?.[1] ?? '';
      if (/IRRELEVANT PAGE/.test(content)) return 'Not relevant.';
      const title = /Page "([^"]*)"/.exec(prompt)?.[1] ?? 'page';
      const firstSentence =
        content
          .replace(/\s+/g, ' ')
          .trim()
          .split(/(?<=\.)\s/)[0]
          ?.slice(0, 200) ?? '';
      return `${title}: ${firstSentence} The page gives figures such as 42% and 2017.`;
    }
    case 'Merge':
      return 'Merged summary of the page parts, with the figures 42% and 2017.';
    case 'Report': {
      const numbers = [...prompt.matchAll(/^\[(\d+)\] /gm)].map((match) => Number(match[1]));
      const cite = (index: number) => (numbers[index] === undefined ? '' : `[${numbers[index]}]`);
      return [
        '# Research report',
        '',
        '## Introduction',
        `The background comes from the encyclopedia ${cite(0)}. An invented source is cited here [99] and a stray link http://invented.example/page appears.`,
        '',
        '## Findings',
        `Key figures: 42% growth in 2017 ${cite(1)}${cite(2)}. Another view [${numbers.slice(1, 3).join(', ')}].`,
        ...(options.reportAppendix ? ['', options.reportAppendix] : []),
        '',
        '| aspect | source A | source B |',
        '|---|---|---|',
        `| growth | 42% ${cite(1)} | 17% ${cite(2)} |`,
        '',
        '## Conclusion',
        `The sources agree ${cite(numbers.length - 1)}.`,
        '',
        '## References',
        '[1] Something the model made up. http://made-up.example/',
      ].join('\n');
    }
    default:
      return `echo: ${messages.at(-1)?.content.slice(0, 40) ?? ''}`;
  }
}

function complete(response: ServerResponse, model: string, text: string, prompt: string): void {
  const promptTokens = Math.ceil(prompt.length / 4);
  const completionTokens = Math.ceil(text.length / 4);
  sendJson(response, 200, {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  });
}
