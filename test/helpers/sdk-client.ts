import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { TEST_TOKEN } from './services.js';

/** Starts `app` on a free loopback port and returns the official SDK pointed at it, retries off. */
export async function listeningOpenAIClient(app: FastifyInstance): Promise<OpenAI> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return new OpenAI({
    baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`,
    apiKey: TEST_TOKEN,
    maxRetries: 0,
  });
}
