/**
 * Prompts are written as lines and sentences so that a reader sees their shape; these join them back into
 * the exact strings the step and LLM caches are keyed by (test/actions/prompts.test.ts holds every byte).
 */

/** The lines of a prompt, joined with a newline each; an empty string is an empty line. */
export function lines(...parts: readonly string[]): string {
  return parts.join('\n');
}

/** The sentences (or clauses) of one paragraph, joined with a single space. */
export function sentences(...parts: readonly string[]): string {
  return parts.join(' ');
}

/** A label, then the text between triple quotes, so that whatever the text holds reads as data. */
export function quoted(label: string, text: string): string {
  return lines(label, '"""', text, '"""');
}
