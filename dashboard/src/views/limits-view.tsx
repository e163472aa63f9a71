import { api, type LimitHistory, type ProviderLimits } from '../api.js';
import { Chart } from '../components/chart.js';
import { count, duration } from '../format.js';
import { useData, useInterval } from '../use-data.js';

/** Each provider's limiter over the last minutes: requests and tokens per minute against its limits, and more. */
export function LimitsView() {
  const { data, error, refresh } = useData(() => api<LimitHistory>('GET', '/v1/limits/history'), []);
  useInterval(refresh, data?.intervalMs ?? 5_000);

  return (
    <section aria-labelledby="limits-title">
      <h1 id="limits-title">Limits</h1>
      <p class="lead">
        Per provider, shared by every run and script. Sampled every {((data?.intervalMs ?? 5_000) / 1000).toFixed(0)} s
        over the last 15 minutes; each point counts the minute before it.
      </p>
      {error && (
        <p role="alert" class="error">
          Could not load the limits: {error}
        </p>
      )}
      {data?.providers.map((provider) => (
        <ProviderPanel key={provider.name} provider={provider} />
      ))}
    </section>
  );
}

function health(provider: ProviderLimits, pausedUntil: string | null): { label: string; tone: 'ok' | 'warn' | 'bad' } {
  const checked = provider.health;
  if (checked?.reachable === false)
    return { label: `unreachable: ${checked.lastFailure?.message ?? 'no answer'}`, tone: 'bad' };
  if (
    checked?.lastFailure &&
    checked.lastFailureAt &&
    (!checked.lastSuccessAt || checked.lastFailureAt > checked.lastSuccessAt)
  ) {
    return { label: `last call failed: ${checked.lastFailure.message}`, tone: 'bad' };
  }
  if (pausedUntil)
    return { label: `paused after a 429 until ${new Date(pausedUntil).toLocaleTimeString('en-GB')}`, tone: 'bad' };
  if (provider.pace !== null && provider.pace < 1)
    return { label: `slowed to ${Math.round(provider.pace * 100)}% pace after 429s`, tone: 'warn' };
  if (
    provider.concurrencyCap !== null &&
    provider.limits?.concurrency != null &&
    provider.concurrencyCap < provider.limits.concurrency
  )
    return { label: `in-flight cap lowered to ${provider.concurrencyCap}`, tone: 'warn' };
  return { label: checked?.reachable ? 'ok' : 'not called yet', tone: 'ok' };
}

function limitText(limit: number | null | undefined, learned: boolean | undefined): string {
  if (limit === null || limit === undefined) return 'unlimited';
  return `${count(limit)}${learned ? ' (learned)' : ''}`;
}

function ProviderPanel({ provider }: { provider: ProviderLimits }) {
  const now = provider.samples.at(-1);
  const x = provider.samples.map((sample) => Date.parse(sample.at) / 1000);
  const state = health(provider, now?.pausedUntil ?? null);
  const titleId = `provider-${provider.name}`;
  return (
    <section class="provider" aria-labelledby={titleId} data-provider={provider.name}>
      <h2 id={titleId}>
        {provider.name} <small>{provider.type}</small>{' '}
        <span class={`health health-${state.tone}`} data-testid="health">
          {state.label}
        </span>
      </h2>
      <dl class="stats">
        <div>
          <dt>Requests, last minute</dt>
          <dd data-testid="requests">
            {count(now?.requests ?? 0)} / {limitText(provider.limits?.rpm, provider.learned?.rpm)}
          </dd>
        </div>
        <div>
          <dt>Tokens, last minute</dt>
          <dd data-testid="tokens">
            {count(now?.tokens ?? 0)} / {limitText(provider.limits?.tpm, provider.learned?.tpm)}
          </dd>
        </div>
        <div>
          <dt>In flight</dt>
          <dd>
            {count(now?.inFlight ?? 0)}
            {provider.concurrencyCap !== null ? ` / ${provider.concurrencyCap}` : ''}
          </dd>
        </div>
        <div>
          <dt>Queued</dt>
          <dd>{count(now?.queued ?? 0)}</dd>
        </div>
        <div>
          <dt>Waited, last minute</dt>
          <dd>{duration(now?.waitedMs ?? 0)}</dd>
        </div>
        <div>
          <dt>429s, last minute</dt>
          <dd>{count(now?.rateLimited ?? 0)}</dd>
        </div>
        <div>
          <dt>Since start</dt>
          <dd data-testid="totals">
            {count(provider.totals.calls)} calls, {count(provider.totals.rateLimited)} × 429, waited{' '}
            {duration(provider.totals.waitedMs)}
          </dd>
        </div>
      </dl>
      <div class="chart-pair">
        <div>
          <h3>Requests per minute</h3>
          <Chart
            label={`${provider.name}: requests in the last minute against the rpm limit`}
            height={180}
            data={[
              x,
              provider.samples.map((sample) => sample.requests),
              provider.samples.map((sample) => sample.rpmLimit),
            ]}
            series={[
              { label: 'requests', color: '#2563eb', format: count },
              { label: 'rpm limit', color: '#dc2626', dashed: true, format: count },
            ]}
          />
        </div>
        <div>
          <h3>Tokens per minute</h3>
          <Chart
            label={`${provider.name}: tokens in the last minute against the tpm limit`}
            height={180}
            data={[
              x,
              provider.samples.map((sample) => sample.tokens),
              provider.samples.map((sample) => sample.tpmLimit),
            ]}
            series={[
              { label: 'tokens', color: '#059669', format: count },
              { label: 'tpm limit', color: '#dc2626', dashed: true, format: count },
            ]}
          />
        </div>
        <div>
          <h3>In flight, queued, 429s</h3>
          <Chart
            label={`${provider.name}: calls in flight, queued, and 429s in the last minute`}
            height={180}
            data={[
              x,
              provider.samples.map((sample) => sample.inFlight),
              provider.samples.map((sample) => sample.queued),
              provider.samples.map((sample) => sample.rateLimited),
            ]}
            series={[
              { label: 'in flight', color: '#7c3aed', format: count },
              { label: 'queued', color: '#d97706', format: count },
              { label: '429s', color: '#dc2626', format: count },
            ]}
          />
        </div>
      </div>
    </section>
  );
}
