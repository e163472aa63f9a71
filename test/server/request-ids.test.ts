import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/services.js';

describe('request ids', () => {
  it('differ from one daemon start to the next, which append to the same log', async () => {
    const idsOf = async () => {
      const { app, close } = await buildTestApp();
      const answers = [await app.inject({ url: '/health' }), await app.inject({ url: '/health' })];
      await close();
      return answers.map((answer) => String(answer.headers['x-request-id']));
    };
    const first = await idsOf();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await idsOf();
    expect(new Set([...first, ...second]).size).toBe(4);
    // A count within one start: the same start time, then 0, 1.
    expect(first[1]!.replace(/-1$/, '-0')).toBe(first[0]);
  });
});
