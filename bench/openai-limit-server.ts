import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens } from '../src/text/token-count.js';

/**
 * A local chat-completions server with OpenAI's rate-limit semantics, for the limiter benchmark:
 * - TPM is a token bucket refilling at `tpm / 60` per second, holding `burstSeconds` of it (OpenAI enforces
 *   a minute's limit over shorter windows). A request is admitted when the bucket holds `min(cost, burst)`;
 *   its cost, prompt tokens + max_tokens, is taken at admission (so one large request may put it in debt).
 * - A refused request gets 429 with `retry-after`, `retry-after-ms`, `x-ratelimit-*` and OpenAI's body text.
 * - Every answer carries `x-ratelimit-limit/remaining/reset-tokens`.
 * All times are real; the benchmark scales rates to keep its run short.
 */
export interface LimitServerOptions {
  tpm: number;
  burstSeconds: number;
  /** Answer latency: base plus a little per output token. */
  latencyMs: number;
  /** Output tokens per answer, as a share of max_tokens. @default 0.6 */
  outputShare?: number;
}

export interface LimitServer {
  url: string;
  stats: { admitted: number; rejected: number; tokensAdmitted: number };
  /** The bucket's capacity in tokens (the "burst" of the lower bound). */
  burst: number;
  /** Tokens per millisecond. */
  rate: number;
  close(): Promise<void>;
}

export async function startLimitServer(options: LimitServerOptions): Promise<LimitServer> {
  const rate = options.tpm / 60_000;
  const burst = rate * options.burstSeconds * 1000;
  let level = burst;
  let updatedAt = performance.now();
  const stats = { admitted: 0, rejected: 0, tokensAdmitted: 0 };

  const refill = () => {
    const now = performance.now();
    level = Math.min(burst, level + (now - updatedAt) * rate);
    updatedAt = now;
  };
  const resetText = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(3)}s`;
  const rateHeaders = () => ({
    'x-ratelimit-limit-tokens': String(options.tpm),
    'x-ratelimit-remaining-tokens': String(Math.max(0, Math.floor(level))),
    'x-ratelimit-reset-tokens': resetText((burst - level) / rate),
  });

  const server: Server = createServer((request, response) => {
    // The daemon lists a provider's models at start (its health check): answer that, or it would not parse.
    if (request.method === 'GET' && (request.url ?? '').endsWith('/models')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ object: 'list', data: [{ id: 'bench-model', object: 'model', owned_by: 'bench' }] }),
      );
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        model: string;
        messages: Array<{ content: string }>;
        max_tokens?: number;
        max_completion_tokens?: number;
      };
      const promptTokens = body.messages.reduce((total, message) => total + countTokens(message.content), 0);
      const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? 4096;
      const cost = promptTokens + maxTokens;
      refill();
      if (level < Math.min(cost, burst)) {
        stats.rejected += 1;
        if (process.env.BENCH_DEBUG)
          process.stderr.write(`429 cost=${cost} level=${Math.round(level)} t=${Math.round(performance.now())}\n`);
        const waitMs = Math.ceil((Math.min(cost, burst) - level) / rate);
        response.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(Math.ceil(waitMs / 1000)),
          'retry-after-ms': String(waitMs),
          ...rateHeaders(),
        });
        response.end(
          JSON.stringify({
            error: {
              message: `Rate limit reached for ${body.model} in organization org-bench on tokens per min (TPM): Limit ${options.tpm}, Used ${Math.round(burst - level)}, Requested ${cost}. Please try again in ${resetText(waitMs)}.`,
              type: 'tokens',
              param: null,
              code: 'rate_limit_exceeded',
            },
          }),
        );
        return;
      }
      level -= cost;
      stats.admitted += 1;
      stats.tokensAdmitted += cost;
      const completionTokens = Math.max(1, Math.floor(maxTokens * (options.outputShare ?? 0.6)));
      const headers = rateHeaders();
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json', ...headers });
        response.end(
          JSON.stringify({
            id: `chatcmpl-${stats.admitted}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [
              { index: 0, message: { role: 'assistant', content: 'summary '.repeat(8).trim() }, finish_reason: 'stop' },
            ],
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: completionTokens,
              total_tokens: promptTokens + completionTokens,
            },
          }),
        );
      }, options.latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats,
    burst,
    rate,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
