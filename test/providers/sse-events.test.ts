import { describe, expect, it } from 'vitest';
import { sseData } from '../../providers/sse-events.js';

async function eventsOf(chunks: Array<string | Buffer>): Promise<string[]> {
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const events: string[] = [];
  for await (const data of sseData(source())) events.push(data);
  return events;
}

/** The event-stream reading under the OpenAI provider's streamed calls: what openai-node's decoder reads. */
describe('sseData', () => {
  it('yields each event once a blank line ends it, whichever line endings the server uses', async () => {
    expect(await eventsOf(['data: one\n\ndata: two\r\n\r\ndata: three\r\rdata: four\n\n'])).toEqual([
      'one',
      'two',
      'three',
      'four',
    ]);
  });

  it('joins data lines with newlines and skips comments, ids and event names', async () => {
    expect(await eventsOf([': keep-alive\n\nid: 7\nevent: message\ndata: {"a":\ndata:1}\nretry: 10\n\n'])).toEqual([
      '{"a":\n1}',
    ]);
  });

  it('reads events cut anywhere across chunks, even inside a character or between \\r and \\n', async () => {
    const bytes = Buffer.from('data: héllo\r\n\r\ndata: [DONE]\n\n');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(await eventsOf(chunks)).toEqual(['héllo', '[DONE]']);
  });

  it("yields '' for a named event without data, and drops an event the stream ends inside", async () => {
    expect(await eventsOf(['event: ping\n\n', 'data: cut off\n'])).toEqual(['']);
  });
});
