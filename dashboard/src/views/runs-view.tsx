import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type RunSummary } from '../api.js';
import { dateTime, runDuration, usd } from '../format.js';
import { followEvents } from '../live.js';
import { navigate, onLinkClick } from '../router.js';
import { useData, useInterval } from '../use-data.js';

/** The roles a run's team can have (src/roles/index.ts). */
const ROLES = [
  { name: 'extractor', label: 'extractor (keywords)' },
  { name: 'researcher', label: 'researcher (search, read, report)' },
  { name: 'wiki', label: 'wiki (Wikipedia background)' },
];

/** Runs shown at first, and added by each "Show older runs". */
const PAGE = 50;
/** The largest page the daemon answers (MAX_RUN_PAGE). */
const MAX_PAGE = 1_000;

/**
 * The newest `count` runs, a page at a time (the daemon answers a page, never every run); `next` when there
 * are older ones.
 */
async function loadRuns(count: number): Promise<{ runs: RunSummary[]; next?: string | undefined }> {
  const runs: RunSummary[] = [];
  let next: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(Math.min(MAX_PAGE, count - runs.length)) });
    if (next !== undefined) query.set('before', next);
    const page = await api<{ runs: RunSummary[]; next?: string }>('GET', `/v1/runs?${query}`);
    runs.push(...page.runs);
    next = page.next;
  } while (next !== undefined && runs.length < count);
  return { runs, next };
}

/** Runs, newest first, updated live from every run's events; a form to start one. */
export function RunsView() {
  // What is shown is reloaded as a whole at each refresh: a run started meanwhile shifts every page by one.
  const [count, setCount] = useState(PAGE);
  const { data, error, refresh } = useData(() => loadRuns(count), [count]);
  useEffect(() => followEvents('/v1/events', { onEvent: refresh }), [refresh]);
  const [, setTick] = useState(0);
  const running = data?.runs.some((run) => run.status === 'running') ?? false;
  // Durations of running runs grow by the second.
  useInterval(() => setTick((tick) => tick + 1), running ? 1_000 : undefined);

  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <StartForm />
      {error && (
        <p role="alert" class="error">
          Could not load the runs: {error}
        </p>
      )}
      {data && data.runs.length === 0 && <p>No runs yet: start one above.</p>}
      {data && data.runs.length > 0 && (
        <div class="table-scroll">
          <table class="runs">
            <caption class="visually-hidden">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Topic</th>
                <th scope="col" class="optional">
                  Lang.
                </th>
                <th scope="col" class="number">
                  Sources
                </th>
                <th scope="col" class="number">
                  Cost
                </th>
                <th scope="col" class="number optional">
                  Duration
                </th>
                <th scope="col" class="optional">
                  Created
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((run) => (
                <tr key={run.id} data-run={run.id}>
                  <td>
                    <span class={`status status-${run.status}`}>{run.status}</span>
                  </td>
                  <td class="topic">
                    <a href={`/runs/${encodeURIComponent(run.id)}`} onClick={onLinkClick}>
                      {run.topic}
                    </a>
                  </td>
                  <td class="optional">{run.language}</td>
                  <td class="number">{run.sourceCount ?? '–'}</td>
                  <td class="number">{usd(run.costUsd)}</td>
                  <td class="number optional">{runDuration(run)}</td>
                  <td class="optional">{dateTime(run.createdAt)}</td>
                  <td>
                    <RunActions id={run.id} status={run.status} topic={run.topic} onDone={refresh} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data?.next !== undefined && (
        <button type="button" class="more" onClick={() => setCount(count + PAGE)}>
          Show older runs
        </button>
      )}
    </section>
  );
}

/** Cancel (queued or running) and resume (failed or cancelled) buttons for one run. */
export function RunActions({
  id,
  status,
  topic,
  onDone,
}: {
  id: string;
  status: string;
  topic: string;
  onDone: () => void;
}) {
  const [problem, setProblem] = useState<string | undefined>();
  const act = async (action: 'cancel' | 'resume') => {
    try {
      await api('POST', `/v1/runs/${encodeURIComponent(id)}/${action}`);
      setProblem(undefined);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
    }
    onDone();
  };
  return (
    <span class="actions">
      {(status === 'queued' || status === 'running') && (
        <button type="button" onClick={() => void act('cancel')} aria-label={`Cancel run: ${topic}`}>
          Cancel
        </button>
      )}
      {(status === 'failed' || status === 'cancelled') && (
        <button type="button" onClick={() => void act('resume')} aria-label={`Resume run: ${topic}`}>
          Resume
        </button>
      )}
      {problem && (
        <span role="alert" class="error">
          {problem}
        </span>
      )}
    </span>
  );
}

function StartForm() {
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const budget = String(form.get('budget') ?? '').trim();
    const body = {
      topic: String(form.get('topic') ?? ''),
      language: String(form.get('language') ?? '').trim() || undefined,
      budgetUsd: budget === '' ? undefined : Number(budget),
      team: form.getAll('team').map(String),
    };
    setBusy(true);
    try {
      const run = await api<{ id: string }>('POST', '/v1/runs', body);
      navigate(`/runs/${encodeURIComponent(run.id)}`);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <form
      class="start"
      onSubmit={(event) => void submit(event as unknown as SubmitEvent)}
      aria-labelledby="start-title"
    >
      <h2 id="start-title">Start a run</h2>
      <label class="wide">
        Topic
        <textarea name="topic" required rows={2} placeholder="How do LLM providers enforce rate limits?" />
      </label>
      <label>
        Language
        {/* Defaults, not values: a value would be set again at every render, and the runs list re-renders this
            form whenever a run changes, undoing what the user chose. */}
        <input
          name="language"
          defaultValue="en"
          pattern="[A-Za-z]{2,3}(-[A-Za-z]{2,4})?"
          title="an ISO 639-1 code such as en or zh"
          size={6}
        />
      </label>
      <label>
        Budget (USD)
        <input name="budget" type="number" min="0" step="0.01" inputMode="decimal" placeholder="default" size={8} />
      </label>
      <fieldset>
        <legend>Team</legend>
        {ROLES.map((role) => (
          <label key={role.name} class="check">
            <input type="checkbox" name="team" value={role.name} defaultChecked />
            {role.label}
          </label>
        ))}
      </fieldset>
      <div class="submit">
        <button type="submit" class="primary" disabled={busy}>
          Start run
        </button>
        {problem && (
          <span role="alert" class="error">
            {problem}
          </span>
        )}
      </div>
    </form>
  );
}
