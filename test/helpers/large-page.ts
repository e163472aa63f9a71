import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** From `test/helpers/` (sources) or `dist/test/helpers/` (a built bench): the repository's fixtures. */
function webPagesFolder(): string {
  for (let directory = path.dirname(fileURLToPath(import.meta.url)); ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, 'test', 'fixtures', 'web-pages');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(directory) === directory) throw new Error('test/fixtures/web-pages not found');
  }
}

/**
 * About `characters` of real page text, as Markdown paragraphs: the articles of the 40 pages of
 * `test/fixtures/web-pages` (English, French, German, Spanish, Portuguese, Arabic, Chinese), tags stripped,
 * repeated until long enough. Real vocabulary, unlike seeded words, tokenizes at a real page's cost.
 */
export function largePage(characters: number): string {
  const folder = webPagesFolder();
  const paragraphs: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const file = path.join(folder, name, 'expected.html.gz');
    if (!existsSync(file)) continue;
    const html = gunzipSync(readFileSync(file)).toString('utf8');
    for (const block of html.split(/<\/(?:p|h[1-6]|li|pre|blockquote)>/i)) {
      const paragraph = block
        .replace(/<[^>]*>/g, ' ')
        .replace(/&[a-z]+;|&#\d+;/gi, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (paragraph) paragraphs.push(paragraph);
    }
  }
  const blocks: string[] = [];
  let length = 0;
  for (let index = 0; length < characters; index += 1) {
    const paragraph = paragraphs[index % paragraphs.length] as string;
    blocks.push(paragraph);
    length += paragraph.length + 2;
  }
  return blocks.join('\n\n');
}
