import { StringDecoder } from 'node:string_decoder';

/**
 * The `data` of each server-sent event in a byte stream, read as openai-node's SSE decoder reads them, so that
 * a provider calling out without the SDK sees the same events: a line ends at `\r\n`, `\r` or `\n`; a blank
 * line ends an event; its `data:` lines are joined with `\n`; comments (`:`) and other fields are skipped. An
 * event with an `event:` name and no data yields `''`, as the SDK's does. An event not ended by a blank line
 * when the stream ends is dropped, as the SDK drops it.
 */
export async function* sseData(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const event = new EventLines();
  let pending = '';
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const consumed = yield* event.feed(pending, false);
    pending = pending.slice(consumed);
  }
  pending += decoder.end();
  yield* event.feed(pending, true);
}

/** The event being read: its data lines so far, and whether it had a name. */
class EventLines {
  #data: string[] = [];
  #named = false;

  /** Reads the whole lines of `text` and yields each event they end; returns how much of `text` it read. */
  *feed(text: string, final: boolean): Generator<string, number> {
    let start = 0;
    // Where the next `\r` is, searched again only once passed: most streams have none, and searching the rest
    // of the text for one at every line would cost the square of its length.
    let carriageReturn = text.indexOf('\r');
    for (;;) {
      if (carriageReturn !== -1 && carriageReturn < start) carriageReturn = text.indexOf('\r', start);
      const lineFeed = text.indexOf('\n', start);
      const end = carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn) ? lineFeed : carriageReturn;
      if (end === -1) break;
      // A `\r` last in the text may be the first half of `\r\n`: wait for more, unless there is none.
      if (text.charCodeAt(end) === CR && end === text.length - 1 && !final) break;
      const line = text.slice(start, end);
      start = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
      const data = this.#line(line);
      if (data !== undefined) yield data;
    }
    if (final && start < text.length) this.#line(text.slice(start));
    return start;
  }

  /** Takes one line; returns the event's data when the line ends it. */
  #line(line: string): string | undefined {
    if (line === '') {
      if (!this.#named && this.#data.length === 0) return undefined;
      const data = this.#data.length === 1 ? (this.#data[0] as string) : this.#data.join('\n');
      this.#data = [];
      this.#named = false;
      return data;
    }
    if (line.charCodeAt(0) === COLON) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === SPACE) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#named = value !== '';
    return undefined;
  }
}

const CR = 13;
const LF = 10;
const COLON = 58;
const SPACE = 32;
