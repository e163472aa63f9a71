import { TokenCounter, tokensWithin } from './token-count.js';

/**
 * Query-focused context: the passages of a page most relevant to a query, up to a token budget, in page
 * order. Scoring is Okapi BM25 over the page's own passages (no model to download); Chinese, Japanese and
 * Korean text is indexed by character bigrams, other scripts by words. A 15k-token page can so be summarised
 * from its ~2-3k relevant tokens.
 */
export interface FocusOptions {
  /** Tokens the result may hold. @default 2500 */
  budgetTokens?: number;
  /** Passage size aimed at when splitting, in tokens. @default 160 */
  passageTokens?: number;
}

/** Marks text left out between two kept passages. */
export const GAP = '\n\n[...]\n\n';

const K1 = 1.2;
const B = 0.75;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const STOPWORDS = new Set(
  'a an and are as at be but by for from has have in into is it its of on or that the their this to was were what when where which who why will with how does did do about'.split(
    ' ',
  ),
);

interface Passage {
  index: number;
  text: string;
  tokens: number;
  terms: Map<string, number>;
  length: number;
}

/**
 * The focused context of `markdown` for `query`, within `budgetTokens` (exact o200k counts). Asynchronous
 * because a large page is indexed and counted in slices with the event loop between them (`TokenCounter`):
 * a 1 MB page is a few hundred ms of work, which must not stall the daemon's requests meanwhile.
 */
export async function focusedContext(markdown: string, query: string, options: FocusOptions = {}): Promise<string> {
  const budget = options.budgetTokens ?? 2500;
  // Stops counting past the budget: a long page costs the budget's tokens here, not its own.
  if (tokensWithin(markdown, budget) !== false) return markdown;
  const counter = new TokenCounter();
  const passages: Passage[] = [];
  for (const [index, text] of splitPassages(markdown, options.passageTokens ?? 160).entries()) {
    const terms = termCounts(text);
    let length = 0;
    for (const count of terms.values()) length += count;
    passages.push({ index, text, tokens: await counter.count(text), terms, length });
  }
  const scores = bm25(passages, [...new Set(terms(query))]);
  // The opening passage usually says what the page is about: a small prior keeps it when it is close.
  if (scores[0] !== undefined) scores[0] += 0.5;

  const chosen = new Set<number>();
  let used = 0;
  const ranked = passages.map((passage) => passage.index).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  for (const index of ranked) {
    const passage = passages[index] as Passage;
    const cost = passage.tokens + 3;
    if (used + cost > budget) continue;
    chosen.add(index);
    used += cost;
  }
  let result = '';
  let previous = -1;
  for (const passage of passages) {
    if (!chosen.has(passage.index)) continue;
    if (result) result += passage.index === previous + 1 ? '\n\n' : GAP;
    result += passage.text;
    previous = passage.index;
  }
  return result;
}

/** Splits Markdown into passages of about `target` tokens: paragraphs merged or cut at sentence ends. */
export function splitPassages(markdown: string, target: number): string[] {
  const targetChars = target * 4;
  const paragraphs = markdown
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
  const pieces: string[] = [];
  for (const paragraph of paragraphs) {
    if (paragraph.length <= targetChars * 1.5) {
      pieces.push(paragraph);
      continue;
    }
    let current = '';
    for (const sentence of paragraph.split(/(?<=[.!?。！？])\s*/u)) {
      if (current && current.length + sentence.length > targetChars) {
        pieces.push(current.trim());
        current = '';
      }
      current += (current && !CJK.test(sentence[0] ?? '') ? ' ' : '') + sentence;
    }
    if (current.trim()) pieces.push(current.trim());
  }
  // Headings and short lines travel with what follows them.
  const passages: string[] = [];
  let buffer = '';
  for (const piece of pieces) {
    buffer = buffer ? `${buffer}\n\n${piece}` : piece;
    if (buffer.length >= targetChars / 2 && !/^#{1,6} /.test(piece)) {
      passages.push(buffer);
      buffer = '';
    }
  }
  if (buffer) passages.push(buffer);
  return passages;
}

/** Index terms: lower-cased words without stopwords; CJK runs as character bigrams. */
export function terms(text: string): string[] {
  const found: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    if (CJK.test(word)) {
      const characters = [...word].filter((character) => CJK.test(character));
      if (characters.length === 1) found.push(characters[0] as string);
      for (let index = 0; index + 1 < characters.length; index += 1)
        found.push(`${characters[index]}${characters[index + 1]}`);
      const rest = word.replace(new RegExp(CJK.source, 'gu'), ' ').trim();
      if (rest) found.push(...rest.split(/\s+/).filter((part) => part.length > 1));
    } else if (word.length > 1 && !STOPWORDS.has(word)) {
      found.push(word);
    }
  }
  return found;
}

function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

function bm25(passages: Passage[], queryTerms: string[]): number[] {
  const total = passages.length;
  const averageLength = passages.reduce((sum, passage) => sum + passage.length, 0) / Math.max(1, total);
  const idf = new Map<string, number>();
  for (const term of queryTerms) {
    const containing = passages.filter((passage) => passage.terms.has(term)).length;
    idf.set(term, Math.log(1 + (total - containing + 0.5) / (containing + 0.5)));
  }
  return passages.map((passage) => {
    let score = 0;
    for (const term of queryTerms) {
      const frequency = passage.terms.get(term) ?? 0;
      if (frequency === 0) continue;
      score +=
        ((idf.get(term) ?? 0) * frequency * (K1 + 1)) /
        (frequency + K1 * (1 - B + (B * passage.length) / Math.max(1, averageLength)));
    }
    return score;
  });
}
