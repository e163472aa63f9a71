/**
 * Decodes a response body to text: the charset of `Content-Type`, else a byte-order mark, else an HTML
 * `<meta charset>` / `<meta http-equiv>` in the first 2 KB, else UTF-8. TextDecoder (Node's full ICU) knows
 * the legacy encodings the web still serves (windows-1252, iso-8859-x, gbk, gb18030, big5, shift_jis, euc-kr).
 */
export function decodeBody(body: Buffer, contentType: string | undefined): { text: string; charset: string } {
  const charset = charsetFromHeader(contentType) ?? charsetFromBom(body) ?? charsetFromMeta(body) ?? 'utf-8';
  try {
    return { text: new TextDecoder(charset).decode(body), charset };
  } catch {
    // An unknown label: UTF-8 is the web's default and the least wrong guess.
    return { text: new TextDecoder('utf-8').decode(body), charset: 'utf-8' };
  }
}

function charsetFromHeader(contentType: string | undefined): string | undefined {
  const match = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

function charsetFromBom(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

function charsetFromMeta(body: Buffer): string | undefined {
  // Meta tags are ASCII in every encoding a page may declare this way.
  const head = body.subarray(0, 2048).toString('latin1');
  const direct = /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head);
  return direct?.[1]?.toLowerCase();
}
