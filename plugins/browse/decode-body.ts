/**
 * Decodes a response body to text: the charset of `Content-Type`, else a byte-order mark, else UTF-8 when
 * the bytes are valid UTF-8 with non-ASCII in them, else an HTML `<meta charset>` / `<meta http-equiv>` in
 * the first 2 KB, else UTF-8. Valid UTF-8 goes before `<meta>` because pages re-saved as UTF-8 often keep
 * their old declaration, while legacy-encoded text is almost never valid UTF-8 by accident. TextDecoder
 * (Node's full ICU) knows the legacy encodings the web still serves (windows-1252, gbk, big5, shift_jis...).
 */
export function decodeBody(body: Buffer, contentType: string | undefined): { text: string; charset: string } {
  const charset =
    charsetFromHeader(contentType) ??
    charsetFromBom(body) ??
    (isNonAsciiUtf8(body) ? 'utf-8' : undefined) ??
    charsetFromMeta(body) ??
    'utf-8';
  try {
    return { text: new TextDecoder(charset).decode(body), charset };
  } catch {
    // An unknown label: UTF-8 is the web's default and the least wrong guess.
    return { text: new TextDecoder('utf-8').decode(body), charset: 'utf-8' };
  }
}

function isNonAsciiUtf8(body: Buffer): boolean {
  if (!body.some((byte) => byte >= 0x80)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
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
