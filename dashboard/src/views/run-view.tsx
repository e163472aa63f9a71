import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type Run } from '../api.js';
import { count, dateTime, duration, runDuration, safeHref, usd } from '../format.js';
import { followEvents } from '../live.js';
import { renderReport } from '../markdown.js';
import { applyEvent, emptyProgress, type Progress } from '../progress.js';
import { onLinkClick } from '../router.js';
import { useData, useInterval } from '../use-data.js';
import { RunActions } from './runs-view.js';

/** Events after which the run record has something new to show. */
const RECORD_CHANGES = new Set([
  'run-started',
  'action-end',
  'source-summarized',
  'run-completed',
  'run-failed',
  'run-cancelled',
]);

/** One run: live progress from its event stream, keywords, background, sources, errors and the report. */
export function RunView({ id }: { id: string }) {
  const { data: run, error, refresh } = useData(() => api<Run>('GET', `/v1/runs/${encodeURIComponent(id)}`), [id]);
  const [progress, setProgress] = useState<Progress>(emptyProgress);
  const [, setTick] = useState(0);
  /** The run's stream ended with its execution; a resumed run's new execution is followed on a new one. */
  const [streamEnded, setStreamEnded] = useState(false);
  const [stream, setStream] = useState(0);

  useEffect(() => {
    setProgress(emptyProgress());
    setStreamEnded(false);
    return followEvents(
      `/v1/runs/${encodeURIComponent(id)}/events`,
      {
        onEvent: (event) => {
          setProgress((current) => applyEvent(current, event));
          if (RECORD_CHANGES.has(event.type)) refresh();
        },
        onClose: () => {
          setStreamEnded(true);
          refresh();
        },
      },
      { resumable: true },
    );
  }, [id, refresh, stream]);
  // Resumed (from this page or anywhere else): the stream closed at the run's end is opened again, and its
  // replay rebuilds the progress, so the page follows the run to its new end instead of freezing.
  const live = run?.status === 'queued' || run?.status === 'running';
  useEffect(() => {
    if (streamEnded && live) setStream((count) => count + 1);
  }, [streamEnded, live]);
  // A run that can be resumed is looked at now and then, to see a resume made elsewhere (the CLI, the list).
  const resumable = run?.status === 'cancelled' || run?.status === 'failed';
  useInterval(refresh, streamEnded && resumable ? 5_000 : undefined);
  useInterval(() => setTick((tick) => tick + 1), run?.status === 'running' ? 1_000 : undefined);

  if (error)
    return (
      <section>
        <h1>Run {id}</h1>
        <p role="alert" class="error">
          {error}
        </p>
        <p>
          <a href="/" onClick={onLinkClick}>
            Back to the runs
          </a>
        </p>
      </section>
    );
  if (!run)
    return (
      <section aria-busy="true">
        <h1>Run {id}</h1>
        <p>Loading…</p>
      </section>
    );

  return (
    <article class="run" aria-labelledby="run-title">
      <p class="crumbs">
        <a href="/" onClick={onLinkClick}>
          Runs
        </a>{' '}
        / {run.id}
      </p>
      <h1 id="run-title">{run.topic}</h1>
      <div class="run-head">
        <span class={`status status-${run.status}`} data-testid="run-status">
          {run.status}
        </span>
        <span>{run.language}</span>
        <span>created {dateTime(run.createdAt)}</span>
        <span>took {runDuration(run)}</span>
        <RunActions id={run.id} status={run.status} topic={run.topic} onDone={refresh} />
        {run.report && (
          <a
            class="button"
            href={`/v1/runs/${encodeURIComponent(run.id)}/report`}
            download={`agentd-report-${run.id}.md`}
          >
            Download Markdown
          </a>
        )}
      </div>
      <ProgressPanel run={run} progress={progress} />
      {run.failure && (
        <p role="alert" class="error">
          Failed: {run.failure.message} ({run.failure.code})
        </p>
      )}
      {run.keywords.length > 0 && (
        <section aria-labelledby="keywords-title">
          <h2 id="keywords-title">Keywords</h2>
          <ul class="chips">
            {run.keywords.map((keyword) => (
              <li key={keyword}>{keyword}</li>
            ))}
          </ul>
        </section>
      )}
      {run.wiki.length > 0 && (
        <section aria-labelledby="wiki-title">
          <h2 id="wiki-title">Wikipedia background</h2>
          <div class="cards">
            {run.wiki.map((entry, index) => (
              <SourceCard
                key={entry.url}
                id={`wiki-${index + 1}`}
                title={entry.title}
                url={entry.url}
                summary={entry.summary}
                detail={entry.keyword ? `keyword: ${entry.keyword}` : 'Wikipedia'}
                citedAs={citationNumbers(run).get(entry.url)}
              />
            ))}
          </div>
        </section>
      )}
      {run.report && <Report run={run} />}
      {run.sources.length > 0 && (
        <section aria-labelledby="sources-title">
          <h2 id="sources-title">Sources ({run.sources.length})</h2>
          <div class="cards">
            {run.sources.map((source, index) => (
              <SourceCard
                key={source.url}
                id={`source-${index + 1}`}
                title={source.title}
                url={source.url}
                summary={source.summary}
                detail={`query: ${source.query}`}
                citedAs={citationNumbers(run).get(source.url)}
              />
            ))}
          </div>
        </section>
      )}
      {run.errors.length > 0 && (
        <section aria-labelledby="errors-title">
          <h2 id="errors-title">Errors ({run.errors.length})</h2>
          <ul class="errors">
            {run.errors.map((problem, index) => (
              <li key={index}>
                <strong>{problem.stage}</strong>
                {problem.code && <code>{problem.code}</code>} {problem.message}
                {problem.url && <span class="url"> {problem.url}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

function ProgressPanel({ run, progress }: { run: Run; progress: Progress }) {
  const live = run.status === 'running' || run.status === 'queued';
  return (
    <section class="progress" aria-labelledby="progress-title" aria-live="polite">
      <h2 id="progress-title" class="visually-hidden">
        Progress
      </h2>
      <dl class="stats">
        <div>
          <dt>Stage</dt>
          <dd data-testid="stage">{live ? progress.stage : run.status}</dd>
        </div>
        <div>
          <dt>Pages read</dt>
          <dd data-testid="pages">
            {progress.pagesDone} of {progress.pagesStarted}
          </dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{count(run.usage.promptTokens + run.usage.completionTokens)}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd data-testid="cost">
            {usd(run.usage.costUsd)}
            {run.usage.costUnknown ? ' + unknown' : ''}
          </dd>
        </div>
        <div>
          <dt>Calls</dt>
          <dd>{count(run.usage.calls)}</dd>
        </div>
        <div>
          <dt>Waited for limits</dt>
          <dd>
            {duration(progress.waitedMs)}
            {progress.lastWait ? ` (${progress.lastWait})` : ''}
          </dd>
        </div>
      </dl>
      {live && progress.pagesStarted > 0 && (
        <progress max={progress.pagesStarted} value={progress.pagesDone} aria-label="pages read" />
      )}
    </section>
  );
}

/** Reference number of each cited URL, from the report's reference list (`[n] Title. URL`). */
function citationNumbers(run: Run): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const match of run.report.matchAll(/^\[(\d+)\] .*?(https?:\/\/\S+)\s*$/gm))
    numbers.set(match[2] as string, Number(match[1]));
  return numbers;
}

function Report({ run }: { run: Run }) {
  const container = useRef<HTMLDivElement>(null);
  const cardOf = useMemo(() => {
    const byUrl = new Map<string, string>();
    for (const [index, entry] of run.wiki.entries()) byUrl.set(entry.url, `wiki-${index + 1}`);
    for (const [index, source] of run.sources.entries()) byUrl.set(source.url, `source-${index + 1}`);
    const byNumber = new Map<number, string>();
    for (const [url, number] of citationNumbers(run)) {
      const card = byUrl.get(url);
      if (card) byNumber.set(number, card);
    }
    return byNumber;
  }, [run]);

  useEffect(() => {
    container.current?.replaceChildren(renderReport(run.report, (number) => cardOf.get(number)));
  }, [run.report, cardOf]);

  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">Report</h2>
      <div class="report" ref={container} />
    </section>
  );
}

/** A source: everything in it came from the web, so it is only ever set as text. */
function SourceCard({
  id,
  title,
  url,
  summary,
  detail,
  citedAs,
}: {
  id: string;
  title: string;
  url: string;
  summary: string;
  detail: string;
  citedAs: number | undefined;
}) {
  const href = safeHref(url);
  return (
    <section class="card" id={id} tabIndex={-1} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {citedAs !== undefined && (
          <a class="citation" href={`#ref-${citedAs}`} aria-label={`reference ${citedAs} in the report`}>
            [{citedAs}]
          </a>
        )}{' '}
        {title || url}
      </h3>
      <p class="url">
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {url}
          </a>
        ) : (
          url
        )}
      </p>
      <p class="detail">{detail}</p>
      <p class="summary">{summary}</p>
    </section>
  );
}
