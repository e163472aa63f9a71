import { useEffect, useState } from 'preact/hooks';

/** Path-based routes (the daemon answers the app at each), so that `#fragment` stays free for in-page links. */
export type Route =
  | { view: 'runs' }
  | { view: 'run'; id: string }
  | { view: 'usage' }
  | { view: 'limits' }
  | { view: 'missing'; path: string };

export function parseRoute(path: string): Route {
  if (path === '/') return { view: 'runs' };
  if (path === '/usage') return { view: 'usage' };
  if (path === '/limits') return { view: 'limits' };
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) return { view: 'run', id: decodeURIComponent(run[1] as string) };
  return { view: 'missing', path };
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

/** The current route, following navigation and the back button. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A plain link that navigates inside the app; modified clicks (new tab) keep the browser's behaviour. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  event.preventDefault();
  navigate(anchor.pathname);
}
