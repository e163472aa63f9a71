import type { NumberedSource } from './prompts/conduct-research.js';

/** Headings a model may give its own reference list; it is replaced by ours. */
const REFERENCE_HEADING =
  /^#{1,6}\s*(references|sources|bibliography|works cited|参考文献|参考资料|来源|références|quellen|referencias|referências)\b.*$/im;

/**
 * Makes a report's citations trustworthy: `[1, 3]` and `[1-3]` become `[1][3]` / `[1][2][3]`, citations of
 * numbers not in the list are removed, links and bare URLs that are not sources are reduced to their text,
 * the model's own reference list is dropped, and ours is appended: each cited number with its title and URL.
 * Every citation then maps to a source of the run, and no other URL appears.
 */
export function finalizeCitations(report: string, sources: readonly NumberedSource[]): string {
  const byNumber = new Map(sources.map((source) => [source.number, source]));
  const allowedUrls = new Set(sources.map((source) => source.url));
  let body = report;
  const heading = REFERENCE_HEADING.exec(body);
  if (heading && heading.index > body.length / 3) body = body.slice(0, heading.index);

  body = body.replace(/\[(\d+(?:\s*[,–-]\s*\d+)*)\]/g, (_match, inner: string) => {
    const numbers: number[] = [];
    for (const part of inner.split(',')) {
      const range = /^\s*(\d+)\s*[–-]\s*(\d+)\s*$/.exec(part);
      if (range) {
        const from = Number(range[1]);
        const to = Number(range[2]);
        for (let number = from; number <= to && number - from < 20; number += 1) numbers.push(number);
      } else numbers.push(Number(part.trim()));
    }
    return numbers
      .filter((number) => byNumber.has(number))
      .map((number) => `[${number}]`)
      .join('');
  });
  // Markdown links keep their text; only source URLs may stay as links.
  body = body.replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, (match, text: string, url: string) =>
    allowedUrls.has(url) ? match : text,
  );
  body = body.replace(/(?<!\()https?:\/\/[^\s)<>\]]+/g, (match) => {
    // A sentence's final period is not part of the URL before it.
    const trailing = /[.,;:!?]+$/.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - trailing.length);
    return (allowedUrls.has(url) ? url : '') + trailing;
  });
  // What was removed leaves gaps ("cited here  and"); table cells and indentation keep their spacing.
  body = body.replace(/(\S)[ \t]{2,}(?=[^\s|])/g, '$1 ').replace(/(\S) +([.,;:!?])(?=\s|$)/g, '$1$2');

  const cited = [...new Set([...body.matchAll(/\[(\d+)\](?!\()/g)].map((match) => Number(match[1])))]
    .filter((number) => byNumber.has(number))
    .sort((a, b) => a - b);
  const references = cited.map((number) => {
    const source = byNumber.get(number) as NumberedSource;
    return `[${number}] ${source.kind === 'wiki' ? 'Wikipedia: ' : ''}${source.title}. ${source.url}`;
  });
  const trimmed = body.replace(/\s+$/, '');
  return references.length > 0 ? `${trimmed}\n\n## References\n\n${references.join('\n')}\n` : `${trimmed}\n`;
}
