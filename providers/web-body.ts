import { finished, type Readable } from 'node:stream';

/** What a body stream holds before its socket is paused, when its reader falls behind (undici reads 64 KiB too). */
const HIGH_WATER_BYTES = 65_536;

/**
 * A web `ReadableStream` over a Node stream, for a `Response` body. `Readable.toWeb` does the same at about
 * twice the CPU per response (profiled under `npm run bench:proxy`: its stream setup was the largest cost of
 * the transport), which every provider call pays. A reader that falls behind pauses the source, so a long
 * answer is never buffered without bound; cancelling the body (an aborted call) destroys the source.
 */
export function webBody(source: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.on('data', (chunk: Buffer) => {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        // `finished` also reports a source that closed before its end (a connection reset) as an error.
        finished(source, (error) => {
          try {
            if (error) controller.error(error);
            else controller.close();
          } catch {
            // Already cancelled by its reader: nothing is waiting for the outcome.
          }
        });
      },
      pull() {
        source.resume();
      },
      cancel(reason) {
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );
}
