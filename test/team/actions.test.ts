import { afterEach, describe, expect, it } from 'vitest';
import { finalizeCitations } from '../../src/actions/citations.js';
import { collectLinks } from '../../src/actions/collect-links.js';
import { keywordExtract } from '../../src/actions/keyword-extract.js';
import { extractJson } from '../../src/actions/structured-answer.js';
import { webBrowseAndSummarize } from '../../src/actions/web-browse-and-summarize.js';
import { wikiSearchAndSummarize } from '../../src/actions/wiki-search-and-summarize.js';
import { startFixtureWeb, type FixtureWeb } from '../helpers/fixture-web.js';
import { makeRoleContext } from '../helpers/role-context.js';
import { startScriptedLlm, type ScriptedLlm } from '../helpers/scripted-llm.js';
import { sendJson, startWireServer } from '../helpers/wire-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  llmOptions: Parameters<typeof startScriptedLlm>[0] = {},
  topic = 'The Arduino trademark dispute',
  language = 'en',
  withWeb = true,
) {
  const llm = await startScriptedLlm(llmOptions);
  cleanups.push(() => llm.close());
  let web: FixtureWeb | undefined;
  if (withWeb) {
    web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
    cleanups.push(() => web!.close());
  }
  const made = await makeRoleContext(llm, web, topic, language);
  cleanups.push(made.close);
  return { llm, web, ...made };
}

/** An OpenAI-compatible server that answers every call with the next text of a script. */
async function llmAnswering(texts: string[]) {
  const calls: Array<Array<{ role: string; content: string }>> = [];
  const server = await startWireServer((request, response) => {
    const body = request.json<{ model: string; messages: Array<{ role: string; content: string }> }>();
    calls.push(body.messages);
    const text = texts[Math.min(calls.length - 1, texts.length - 1)] ?? '';
    sendJson(response, 200, {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });
  cleanups.push(() => server.close());
  return { ...server, calls, baseURL: `${server.url}/v1` } as unknown as ScriptedLlm & { calls: typeof calls };
}

describe('KeywordExtract', () => {
  it("asks for at most 2 keywords in the run's language and reads them from a fenced answer", async () => {
    const { context, llm } = await setup(
      { keywords: ['人工智能', '记忆'] },
      'DeepMind 新电脑已可利用记忆自学',
      'zh',
      false,
    );
    expect(await keywordExtract.run({ topic: context.topic }, context)).toEqual(['人工智能', '记忆']);
    expect(llm.calls[0]!.prompt).toContain('DeepMind 新电脑已可利用记忆自学');
    expect(llm.calls[0]!.prompt).toContain('Write them in Chinese (Simplified)');
    expect(llm.calls[0]!.body.response_format).toEqual({ type: 'json_object' });
  });

  it('repairs an invalid answer by showing the model its error, and records the repair', async () => {
    const llm = await llmAnswering(['{"keywords": []}', 'Sure: {"keywords": ["Arduino", "LLC", "SRL"]}']);
    const made = await makeRoleContext(llm, undefined, 'Arduino LLC versus Arduino SRL');
    cleanups.push(made.close);
    expect(await keywordExtract.run({ topic: made.context.topic }, made.context)).toEqual(['Arduino', 'LLC']);
    expect(llm.calls).toHaveLength(2);
    expect(llm.calls[1]!.at(-1)!.content).toContain(
      'That answer is not valid: keywords: expected at least one keyword',
    );
    expect(made.run.errors).toEqual([
      expect.objectContaining({ stage: 'KeywordExtract', message: expect.stringContaining('repaired after a retry') }),
    ]);
  });

  it('falls back to the topic as its own keyword after two unusable answers', async () => {
    const llm = await llmAnswering(['no idea', 'still no JSON']);
    const made = await makeRoleContext(llm, undefined, 'Arduino trademark');
    cleanups.push(made.close);
    expect(await keywordExtract.run({ topic: made.context.topic }, made.context)).toEqual(['Arduino trademark']);
    expect(made.run.errors[0]!.message).toContain('fell back to the topic as its own keyword');
  });
});

describe('WikiSearchAndSummarize', () => {
  it('summarises the best article in at most 100 words, and says so when there is none', async () => {
    const { context, run } = await setup();
    const found = await wikiSearchAndSummarize.run({ topic: context.topic, keyword: 'Arduino' }, context);
    expect(found).toMatchObject({ keyword: 'Arduino', title: 'Arduino', url: 'https://en.wikipedia.org/wiki/Arduino' });
    expect(found!.summary.split(/\s+/).length).toBeLessThanOrEqual(101);
    expect(
      await wikiSearchAndSummarize.run({ topic: context.topic, keyword: 'Nonexistent thing' }, context),
    ).toBeUndefined();
    expect(run.errors).toEqual([
      expect.objectContaining({ message: 'no en Wikipedia article found for "Nonexistent thing"' }),
    ]);
  });
});

describe('CollectLinks', () => {
  it("derives queries from the keyword results, ranks each query's results, and reports each query as soon as it is ranked", async () => {
    const { context, llm } = await setup();
    const reported: string[] = [];
    const ranked = await collectLinks.run(
      { topic: context.topic, keywords: ['Arduino'], onQuery: (entry) => reported.push(entry.query) },
      context,
    );
    expect(ranked.map((entry) => entry.query)).toEqual(['Arduino facts and figures', 'comparison overview']);
    expect(reported.sort()).toEqual(['Arduino facts and figures', 'comparison overview']);
    for (const entry of ranked) {
      expect(entry.results.length).toBeLessThanOrEqual(4);
      expect(entry.results.some((result) => result.url.endsWith('/casino'))).toBe(false);
    }
    const queriesPrompt = llm.calls.find((call) => call.action === 'Queries')!.prompt;
    expect(queriesPrompt).toContain('Results for "Arduino"');
    expect(llm.calls.filter((call) => call.action === 'Rank')).toHaveLength(2);
  });

  it("falls back to the engine's order when the ranking stays malformed", async () => {
    const { context, run } = await setup({ malformedRate: 1, malformRepairs: true });
    const ranked = await collectLinks.run({ topic: context.topic, keywords: ['Arduino'] }, context);
    // Queries fell back to the keywords, the ranking to the engine's order (spam included: nobody judged it).
    expect(ranked.map((entry) => entry.query)).toEqual(['Arduino']);
    expect(ranked[0]!.results).toHaveLength(4);
    expect(run.errors.map((error) => error.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('fell back to the keywords as queries'),
        expect.stringContaining("fell back to the search engine's order"),
      ]),
    );
  });
});

describe('WebBrowseAndSummarize', () => {
  it('summarises a page for its query from its relevant passages', async () => {
    const { context, web, llm } = await setup();
    const source = await webBrowseAndSummarize.run(
      { topic: 'Arduino trademark', query: 'Arduino LLC SRL trademark', url: `${web!.url}/pages/lwn-1/` },
      context,
    );
    expect(source).toMatchObject({
      url: `${web!.url}/pages/lwn-1/`,
      title: 'LWN.net Weekly Edition for March 26, 2015 [LWN.net]',
      query: 'Arduino LLC SRL trademark',
    });
    expect(source!.summary).toContain('42%');
    const prompt = llm.calls.find((call) => call.action === 'Summarize')!.prompt;
    expect(prompt).toContain('Query: "Arduino LLC SRL trademark"');
    expect(prompt).toContain('Arduino');
  });

  it('drops a page the model finds not relevant', async () => {
    const { context, web } = await setup();
    expect(
      await webBrowseAndSummarize.run({ topic: 'Arduino', query: 'Arduino', url: `${web!.url}/irrelevant` }, context),
    ).toBeUndefined();
  });

  it('splits a page too long for one call into parts and merges their summaries', async () => {
    const { context, web, llm } = await setup();
    const source = await webBrowseAndSummarize.run(
      {
        topic: 'Arduino',
        query: 'Arduino',
        url: `${web!.url}/pages/wikipedia/`,
        budgetTokens: Number.POSITIVE_INFINITY,
      },
      context,
    );
    const summaries = llm.calls.filter((call) => call.action === 'Summarize');
    expect(summaries.length).toBeGreaterThan(1);
    expect(summaries[0]!.prompt).toMatch(/This is part 1 of \d+ of the page/);
    expect(llm.calls.some((call) => call.action === 'Merge')).toBe(true);
    expect(source!.summary).toContain('Merged summary');
  });
});

describe('report citations', () => {
  const sources = [
    { number: 1, title: 'Wiki A', url: 'https://en.wikipedia.org/wiki/A', text: '', kind: 'wiki' as const },
    { number: 2, title: 'Page B', url: 'https://b.example/x', text: '', kind: 'web' as const },
    { number: 3, title: 'Page C', url: 'https://c.example/y', text: '', kind: 'web' as const },
  ];

  it('keeps only citations of known sources, expands lists and ranges, and appends its own references', () => {
    const report = finalizeCitations(
      '# T\n\nA [1, 3]. B [2-3]. C [7]. See [link](https://evil.example/) and https://tracker.example/x.\n\n## References\n[1] fake',
      sources,
    );
    expect(report).toBe(
      '# T\n\nA [1][3]. B [2][3]. C. See link and.\n\n## References\n\n[1] Wikipedia: Wiki A. https://en.wikipedia.org/wiki/A\n[2] Page B. https://b.example/x\n[3] Page C. https://c.example/y\n',
    );
  });

  it('finds the JSON in prose and code fences', () => {
    expect(extractJson('Here you go:\n```json\n{"a": [1, 2]}\n```')).toEqual({ a: [1, 2] });
    expect(extractJson('The ranking is {"ranking": [2, 0]} as asked.')).toEqual({ ranking: [2, 0] });
    expect(() => extractJson('nothing here')).toThrow(/no JSON found/);
  });
});
