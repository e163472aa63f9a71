/**
 * The `articleBody` a page declares in its JSON-LD (schema.org Article, NewsArticle, BlogPosting...): the
 * publisher's own statement of what the article's text is, used as evidence when choosing between
 * candidates. Empty when the page has none or its JSON does not parse.
 */
export function jsonLdArticleBody(document: Document): string {
  let best = '';
  // By tag and attribute: a selector goes through jsdom's selector engine, which costs more than reading a few tags.
  for (const script of document.getElementsByTagName('script')) {
    // Compared ignoring case, as `script[type="application/ld+json"]` matches in an HTML document.
    if (script.getAttribute('type')?.toLowerCase() !== 'application/ld+json') continue;
    let data: unknown;
    try {
      data = JSON.parse(script.textContent ?? '');
    } catch {
      // Sites ship broken JSON-LD often; it is evidence only, so a broken one is simply none.
      continue;
    }
    const body = findArticleBody(data, 0);
    if (body.length > best.length) best = body;
  }
  return best.replace(/\s+/g, ' ').trim();
}

function findArticleBody(value: unknown, depth: number): string {
  if (depth > 6 || value === null || typeof value !== 'object') return '';
  if (Array.isArray(value))
    return value.map((item) => findArticleBody(item, depth + 1)).reduce((a, b) => (b.length > a.length ? b : a), '');
  const record = value as Record<string, unknown>;
  if (typeof record.articleBody === 'string') return record.articleBody;
  let best = '';
  for (const key of ['@graph', 'mainEntity', 'mainEntityOfPage']) {
    const found = findArticleBody(record[key], depth + 1);
    if (found.length > best.length) best = found;
  }
  return best;
}
