import { createServer, type AddressInfo } from 'node:net';
import { sendJson, startWireServer, type WireServer } from './wire-server.js';

/**
 * Servers answering each vendor's model listing as it does on the wire: OpenAI's `GET /v1/models`,
 * Anthropic's `GET /v1/models`, Ollama's `GET /api/tags`. `key` is the one key they
 * accept; any other gets the vendor's 401.
 */
export function openAIListing(models: string[], key = 'sk-good'): Promise<WireServer> {
  return startWireServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${key}`) {
      sendJson(response, 401, {
        error: {
          message: 'Incorrect API key provided: sk-b***',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
      return;
    }
    if (request.method === 'GET' && request.url === '/v1/models') {
      sendJson(response, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 1, owned_by: 'openai' })),
      });
      return;
    }
    sendJson(response, 404, {
      error: { message: `unexpected ${request.method} ${request.url}`, type: 'invalid_request_error' },
    });
  });
}

/**
 * An OpenAI-compatible server without a model listing, as many local ones are: `GET /v1/models` answers
 * `status` (404 as older llama.cpp builds and proxies, 405 as servers whose route takes only POST), chat
 * completions answer. The key is checked first, so a wrong one gets a 401 whatever the route.
 */
export function openAIWithoutListing(status: 404 | 405, key = 'sk-good'): Promise<WireServer> {
  return startWireServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${key}`) {
      sendJson(response, 401, { error: { message: 'Invalid API Key', type: 'authentication_error', code: 401 } });
      return;
    }
    if (request.method === 'POST' && request.url === '/v1/chat/completions') {
      const { model } = request.json<{ model: string }>();
      sendJson(response, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      });
      return;
    }
    if (status === 405) {
      response.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' });
      response.end('Method Not Allowed');
      return;
    }
    sendJson(response, 404, { error: { message: 'File Not Found', type: 'not_found_error', code: 404 } });
  });
}

export function anthropicListing(models: string[], key = 'sk-ant-good'): Promise<WireServer> {
  return startWireServer((request, response) => {
    // This SDK version sends the key as a bearer token; older ones as x-api-key. Either is Anthropic's wire.
    if (request.headers['x-api-key'] !== key && request.headers.authorization !== `Bearer ${key}`) {
      sendJson(response, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
      return;
    }
    if (request.method === 'GET' && request.url.startsWith('/v1/models')) {
      const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-10-01T00:00:00Z' }));
      sendJson(response, 200, { data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null });
      return;
    }
    sendJson(response, 404, {
      type: 'error',
      error: { type: 'not_found_error', message: `unexpected ${request.url}` },
    });
  });
}

export function ollamaListing(models: string[]): Promise<WireServer> {
  return startWireServer((request, response) => {
    if (request.method === 'GET' && request.url === '/api/tags') {
      sendJson(response, 200, {
        models: models.map((name) => ({
          name,
          model: name,
          modified_at: '2025-10-01T00:00:00Z',
          size: 2_000_000_000,
          digest: 'sha256:0',
          details: { format: 'gguf', family: 'llama', parameter_size: '3B', quantization_level: 'Q4_K_M' },
        })),
      });
      return;
    }
    sendJson(response, 404, { error: `unexpected ${request.url}` });
  });
}

/**
 * A provider that is down: every connection to this URL is cut before any answer. (A closed port would do
 * too, but the OS may hand it to the next server a test starts, which then answers.) The server is unref'd,
 * so it never keeps the test process alive.
 */
export async function deadURL(): Promise<string> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A small web answering as SearXNG (`/search`), MediaWiki (`/w/api.php`) and a site (`/page`, plain text) do. */
export function smallWeb(): Promise<WireServer> {
  return startWireServer((request, response) => {
    const url = new URL(request.url, 'http://web');
    if (url.pathname === '/search') {
      sendJson(response, 200, {
        query: url.searchParams.get('q'),
        results: [
          { url: 'https://en.wikipedia.org/wiki/Wikipedia', title: 'Wikipedia', content: 'The free encyclopedia' },
        ],
      });
    } else if (url.pathname === '/w/api.php' && url.searchParams.get('list') === 'search') {
      sendJson(response, 200, { query: { search: [{ title: 'Wikipedia' }] } });
    } else if (url.pathname === '/w/api.php') {
      sendJson(response, 200, {
        query: {
          pages: [
            {
              title: 'Wikipedia',
              fullurl: 'https://en.wikipedia.org/wiki/Wikipedia',
              extract: 'Wikipedia is a free online encyclopedia.',
            },
          ],
        },
      });
    } else if (url.pathname === '/article') {
      // HTML, which the browse plugin extracts in its worker processes.
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<!doctype html><html><head><title>Example article</title></head><body><article><h1>Example article</h1>' +
          `<p>${'This domain is for use in documentation examples, and this sentence says so at length. '.repeat(8)}</p>` +
          '</article></body></html>',
      );
    } else if (url.pathname === '/page') {
      // Plain text: the browse plugin reads it without its extraction workers, which take seconds to start.
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Example Domain\n\nThis domain is for use in documentation examples.\n');
    } else {
      sendJson(response, 404, {});
    }
  });
}
