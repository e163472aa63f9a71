import { describe, expect, it } from 'vitest';
import { countTokens } from '../../src/text/token-count.js';
import { focusedContext, GAP, splitPassages, terms } from '../../src/text/focused-context.js';

const filler = (topic: string, count: number) =>
  Array.from(
    { length: count },
    (_, index) =>
      `Paragraph ${index} about ${topic}: the weather was mild and the market opened late, with traders discussing holiday plans and the price of coffee in the city centre.`,
  );

describe('query-focused context', () => {
  it('returns a page that fits the budget unchanged', async () => {
    const page = 'A short page about rate limits.';
    expect(await focusedContext(page, 'rate limits', { budgetTokens: 100 })).toBe(page);
  });

  it('keeps the relevant passages within the budget, in page order, marking gaps', async () => {
    const paragraphs = [
      '# Notes',
      ...filler('town life', 20),
      'OpenAI enforces tokens per minute (TPM) limits: a request larger than the remaining TPM gets a 429 rate limit error.',
      ...filler('gardening', 20),
      'Retrying a 429 after the retry-after header keeps the rate limit from failing the whole run.',
      ...filler('sports', 20),
    ];
    const page = paragraphs.join('\n\n');
    const focused = await focusedContext(page, 'TPM rate limit 429 retry-after', {
      budgetTokens: 300,
      passageTokens: 60,
    });
    expect(countTokens(focused)).toBeLessThanOrEqual(300);
    expect(focused).toContain('tokens per minute (TPM) limits');
    expect(focused).toContain('retry-after header');
    expect(focused.indexOf('tokens per minute')).toBeLessThan(focused.indexOf('retry-after header'));
    expect(focused).toContain(GAP.trim());
  });

  it('indexes Chinese by character bigrams so a Chinese query finds its passage', async () => {
    expect(terms('人工智能 AI')).toEqual(['人工', '工智', '智能', 'ai']);
    const page = [
      ...filler('weather', 30),
      '人工智能是计算机科学的一个分支，研究如何让机器表现出智能。',
      ...filler('markets', 30),
    ].join('\n\n');
    expect(await focusedContext(page, '人工智能', { budgetTokens: 150, passageTokens: 60 })).toContain(
      '人工智能是计算机科学的一个分支',
    );
  });

  it('splits long paragraphs at sentence ends and keeps headings with what follows', () => {
    const passages = splitPassages(`## Heading\n\n${'This is a sentence. '.repeat(100)}`, 50);
    expect(passages.length).toBeGreaterThan(3);
    expect(passages[0]!.startsWith('## Heading\n\nThis is a sentence.')).toBe(true);
  });
});
