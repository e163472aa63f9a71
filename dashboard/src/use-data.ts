import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/**
 * Data loaded from the daemon, with `refresh()` for live updates. Refreshes asked for while one is in flight
 * collapse into one more, so a burst of events costs at most two requests.
 */
export function useData<T>(
  load: () => Promise<T>,
  dependencies: unknown[],
): { data: T | undefined; error: string | undefined; refresh: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const state = useRef({ running: false, again: false, alive: true });

  const refresh = useCallback(() => {
    const current = state.current;
    if (current.running) {
      current.again = true;
      return;
    }
    current.running = true;
    load()
      .then((value) => {
        if (!current.alive) return;
        setData(value);
        setError(undefined);
      })
      .catch((failure: unknown) => {
        if (current.alive) setError(failure instanceof Error ? failure.message : String(failure));
      })
      .finally(() => {
        current.running = false;
        if (current.again && current.alive) {
          current.again = false;
          refresh();
        }
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, dependencies);

  useEffect(() => {
    state.current = { running: false, again: false, alive: true };
    refresh();
    return () => {
      state.current.alive = false;
    };
  }, [refresh]);

  return { data, error, refresh };
}

/** Calls `callback` every `ms` while the component is shown. */
export function useInterval(callback: () => void, ms: number | undefined): void {
  const saved = useRef(callback);
  saved.current = callback;
  useEffect(() => {
    if (ms === undefined) return undefined;
    const timer = setInterval(() => saved.current(), ms);
    return () => clearInterval(timer);
  }, [ms]);
}
