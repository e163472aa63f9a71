import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onSessionEnded } from './api.js';
import { onLinkClick, useRoute, type Route } from './router.js';
import { LimitsView } from './views/limits-view.js';
import { RunView } from './views/run-view.js';
import { RunsView } from './views/runs-view.js';
import { UsageView } from './views/usage-view.js';

const NAV: Array<{ path: string; label: string; active: (route: Route) => boolean }> = [
  { path: '/', label: 'Runs', active: (route) => route.view === 'runs' || route.view === 'run' },
  { path: '/usage', label: 'Usage', active: (route) => route.view === 'usage' },
  { path: '/limits', label: 'Limits', active: (route) => route.view === 'limits' },
];

function App() {
  const route = useRoute();
  const [sessionEnded, setSessionEnded] = useState(false);
  useEffect(() => onSessionEnded(() => setSessionEnded(true)), []);
  useEffect(() => {
    const titles: Record<Route['view'], string> = {
      runs: 'Runs',
      run: 'Run',
      usage: 'Usage',
      limits: 'Limits',
      missing: 'Not found',
    };
    document.title = `${titles[route.view]} · agentd`;
  }, [route]);

  const logout = async () => {
    await api('POST', '/v1/dashboard/logout');
    location.assign('/');
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/" onClick={onLinkClick}>
          agentd
        </a>
        <nav aria-label="Views">
          {NAV.map((item) => (
            <a
              key={item.path}
              href={item.path}
              onClick={onLinkClick}
              aria-current={item.active(route) ? 'page' : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <button type="button" class="quiet" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      {sessionEnded && (
        <p class="banner" role="alert">
          Your dashboard session has ended. Run <code>agentd open</code> to log in again.
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {route.view === 'runs' && <RunsView />}
        {route.view === 'run' && <RunView key={route.id} id={route.id} />}
        {route.view === 'usage' && <UsageView />}
        {route.view === 'limits' && <LimitsView />}
        {route.view === 'missing' && (
          <section>
            <h1>Not found</h1>
            <p>
              Nothing at {route.path}.{' '}
              <a href="/" onClick={onLinkClick}>
                See the runs
              </a>
              .
            </p>
          </section>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
