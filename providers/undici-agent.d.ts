/**
 * undici's `Agent` on its own (see `http-transport.ts`): the package's index loads all of undici (fetch, web
 * streams, WebSocket, the cache and mock layers): 4-5 MB more in the daemon at rest (101-102 against 97 MB,
 * `bench/memory-bench.ts` 5 s after start), for code it never runs.
 * A path inside the package, so package.json takes undici's patch releases only.
 */
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}
