/** Ollama's own default address, used when `OLLAMA_HOST` is unset. */
export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

/** `OLLAMA_HOST` as Ollama reads it: `host`, `host:port` or a URL; scheme http and port 11434 by default. */
export function ollamaBaseURL(host: string | undefined): string {
  if (!host) return DEFAULT_OLLAMA_URL;
  const withScheme = /^[a-z]+:\/\//i.test(host) ? host : `http://${host}`;
  const url = new URL(withScheme);
  if (!url.port && !/^[a-z]+:\/\/[^/]*:\d+/i.test(withScheme)) url.port = '11434';
  // 0.0.0.0 is where Ollama listens on every interface; it is reached on loopback.
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  return url.origin;
}
