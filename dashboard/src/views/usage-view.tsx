import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type UsageHistory, type UsageTotals } from '../api.js';
import { Chart } from '../components/chart.js';
import { count, usd } from '../format.js';
import { followEvents } from '../live.js';
import { useData, useInterval } from '../use-data.js';

const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
const BUCKETS = [
  { seconds: 60, label: 'per minute' },
  { seconds: 3600, label: 'per hour' },
  { seconds: 86400, label: 'per day' },
];

/** Spend and tokens over time and per model, against `budget.totalUsd`; live from the runs' llm-call events. */
export function UsageView() {
  const [bucketSeconds, setBucketSeconds] = useState(3600);
  const totals = useData(() => api<UsageTotals>('GET', '/v1/usage'), []);
  const history = useData(
    () => api<UsageHistory>('GET', `/v1/usage/history?bucketSeconds=${bucketSeconds}`),
    [bucketSeconds],
  );
  const refresh = () => {
    totals.refresh();
    history.refresh();
  };
  useEffect(
    () => followEvents('/v1/events', { onEvent: (event) => event.type === 'llm-call' && refresh() }),
    [totals.refresh, history.refresh],
  );
  // Calls from scripts (/v1/chat/completions) have no run events: poll for them too.
  useInterval(refresh, 10_000);

  const models = useMemo(() => Object.keys(totals.data?.byModel ?? {}).sort(), [totals.data]);
  const charts = useMemo(() => (history.data ? chartData(history.data, models) : undefined), [history.data, models]);
  const budget = totals.data?.budget.totalUsd ?? null;

  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      {(totals.error || history.error) && (
        <p role="alert" class="error">
          Could not load the usage: {totals.error ?? history.error}
        </p>
      )}
      {totals.data && (
        <dl class="stats">
          <div>
            <dt>Spent</dt>
            <dd data-testid="spent">
              {usd(totals.data.costUsd)}
              {totals.data.costUnknown ? ' + unknown' : ''}
            </dd>
          </div>
          <div>
            <dt>Budget (total)</dt>
            <dd>{budget === null ? 'none' : usd(budget)}</dd>
          </div>
          <div>
            <dt>Calls</dt>
            <dd data-testid="calls">{count(totals.data.calls)}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>{count(totals.data.promptTokens + totals.data.completionTokens)}</dd>
          </div>
        </dl>
      )}
      {totals.data && budget !== null && (
        <p class="meter">
          <label>
            {usd(totals.data.costUsd)} of {usd(budget)} spent
            <meter min={0} max={budget} high={budget * 0.8} optimum={0} value={totals.data.costUsd} />
          </label>
        </p>
      )}
      <label class="inline">
        Buckets{' '}
        <select
          value={String(bucketSeconds)}
          onChange={(event) => setBucketSeconds(Number((event.currentTarget as HTMLSelectElement).value))}
        >
          {BUCKETS.map((bucket) => (
            <option key={bucket.seconds} value={String(bucket.seconds)}>
              {bucket.label}
            </option>
          ))}
        </select>
      </label>
      {charts && charts.x.length === 0 && <p>No paid calls yet.</p>}
      {charts && charts.x.length > 0 && (
        <>
          <h2>Spend over time</h2>
          <Chart
            label="Cumulative spend in US dollars over time, with the total budget"
            data={[charts.spendX, charts.cumulative, ...(budget === null ? [] : [charts.spendX.map(() => budget)])]}
            series={[
              { label: 'spent (USD)', color: PALETTE[0] as string, format: usd },
              ...(budget === null ? [] : [{ label: 'budget.totalUsd', color: '#dc2626', dashed: true, format: usd }]),
            ]}
          />
          <h2>Tokens per model</h2>
          <Chart
            label="Tokens per time bucket, one series per model"
            bars
            data={[charts.barsX, ...charts.tokensByModel]}
            series={models.map((model, index) => ({
              label: model,
              color: PALETTE[index % PALETTE.length] as string,
              format: count,
            }))}
          />
        </>
      )}
      {totals.data && models.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption>Per model, since the ledger began</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" class="number">
                  Calls
                </th>
                <th scope="col" class="number">
                  Prompt tokens
                </th>
                <th scope="col" class="number">
                  Completion tokens
                </th>
                <th scope="col" class="number">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => {
                const usage = totals.data?.byModel[model];
                if (!usage) return null;
                return (
                  <tr key={model}>
                    <th scope="row">{model}</th>
                    <td class="number">{count(usage.calls)}</td>
                    <td class="number">{count(usage.promptTokens)}</td>
                    <td class="number">{count(usage.completionTokens)}</td>
                    <td class="number">
                      {usd(usage.costUsd)}
                      {usage.costUnknown ? ' + unknown' : ''}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function chartData(history: UsageHistory, models: string[]) {
  const x = history.buckets.map((bucket) => Date.parse(bucket.start) / 1000);
  // Spend so far at the end of each bucket, from 0 at the start of the first: a line even for one bucket.
  const spendX = x.length === 0 ? [] : [x[0] as number, ...x.map((start) => start + history.bucketSeconds)];
  let running = 0;
  const cumulative = x.length === 0 ? [] : [0, ...history.buckets.map((bucket) => (running += bucket.total.costUsd))];
  // An empty bucket either side keeps a lone bar a bar, and the time axis on the data.
  const barsX =
    x.length === 0
      ? []
      : [(x[0] as number) - history.bucketSeconds, ...x, (x.at(-1) as number) + history.bucketSeconds];
  const tokensByModel = models.map((model) => [
    null,
    ...history.buckets.map((bucket) => {
      const usage = bucket.byModel[model];
      return usage ? usage.promptTokens + usage.completionTokens : null;
    }),
    null,
  ]);
  return { x, spendX, barsX, cumulative, tokensByModel };
}
