import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { HttpAnswer } from './http-transport.js';

/**
 * Flushing after every chunk, as undici does: a streamed answer's tokens come out as they arrive instead of
 * waiting for zlib's window, and an answer cut short ends with what it had instead of an error.
 */
const ZLIB_FLUSH = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI_FLUSH = {
  flush: constants.BROTLI_OPERATION_FLUSH,
  finishFlush: constants.BROTLI_OPERATION_FLUSH,
};

/** An answer's body as a stream, with the content codings its `content-encoding` names undone. */
export function decodedAnswer(answer: HttpAnswer): Readable {
  const encoding = answer.headers['content-encoding'];
  // A header sent twice holds its codings in order, as one comma-separated list would.
  return decodedBody(answer.body.stream(), Array.isArray(encoding) ? encoding.join(', ') : encoding);
}

/**
 * The response body with its content codings undone (gzip, deflate, br; several in the order they were
 * applied, the last one first). A coding this does not know leaves the body as it came, as fetch does.
 */
function decodedBody(body: Readable, contentEncoding: string | undefined): Readable {
  if (!contentEncoding) return body;
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  const decoders: Transform[] = [];
  for (const coding of codings) {
    const decoder = decoderFor(coding);
    if (!decoder) return body;
    decoders.push(decoder);
  }
  if (decoders.length === 0) return body;
  // pipeline destroys every stream when one fails or is closed early: a corrupt body fails the body's stream as
  // a network error would, and a reader that stops (an aborted call) closes the response's socket.
  pipeline([body, ...decoders], () => {});
  return decoders.at(-1) as Transform;
}

function decoderFor(coding: string): Transform | undefined {
  if (coding === 'gzip' || coding === 'x-gzip') return createGunzip(ZLIB_FLUSH);
  if (coding === 'br') return createBrotliDecompress(BROTLI_FLUSH);
  if (coding === 'deflate') return new DeflateDecoder();
  return undefined;
}

/**
 * `deflate` is meant as zlib-wrapped (RFC 9110), but some servers send raw deflate: the first byte tells
 * them apart (a zlib header's low nibble is 8, the deflate method), as undici and browsers do.
 */
class DeflateDecoder extends Transform {
  #inner: Transform | undefined;
  #pending: TransformCallback | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (chunk.length === 0) {
      callback();
      return;
    }
    if (!this.#inner) {
      this.#inner = (chunk.readUInt8(0) & 0x0f) === 0x08 ? createInflate(ZLIB_FLUSH) : createInflateRaw(ZLIB_FLUSH);
      this.#inner.on('data', (data: Buffer) => this.push(data));
      this.#inner.once('error', (error) => this.destroy(error));
      this.#inner.once('end', () => this.#pending?.());
    }
    this.#inner.write(chunk, callback);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.#inner) {
      callback();
      return;
    }
    this.#pending = callback;
    this.#inner.end();
  }
}
