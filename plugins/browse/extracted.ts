/** What extraction returns for one document (its own module: extract-content.ts and extract-article.ts both use it). */
export interface Extracted {
  title: string;
  byline: string | null;
  lang: string | null;
  publishedTime: string | null;
  content: string;
  /** What went wrong on the way and was recovered from (a parser error, a fallback taken); empty normally. */
  warnings?: string[];
}
