/** Common English words: prompts made of them tokenize like prose (about one token a word). */
const WORDS =
  'the of and to in is was for on that by with as at from this which are be or an has have it its were not but their also more other than been into after new such first two most over these some may when time world people years both during between state city where about under three used'.split(
    ' ',
  );

/**
 * A seeded source of prompts for the limiter benchmarks: the same seed gives the same words, so every mode of
 * a benchmark, and every re-run, is sent the same burst. `random` is the generator (a linear congruential one)
 * for the benchmark's other draws; `text(words)` is that many words drawn from it.
 */
export function seededText(seed: number): { random: () => number; text: (words: number) => string } {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const text = (words: number) =>
    Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  return { random, text };
}

/** What a limiter benchmark reports of one mode. */
export interface BurstOutcome {
  mode: string;
  requests: number;
  failures: number;
  /** Requests the provider answered 429. */
  rejected: number;
  makespanMs: number;
  lowerBoundMs: number;
}
