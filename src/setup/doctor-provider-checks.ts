import { createProviders } from '../../providers/index.js';
import type { Config, ResolvedProviderConfig } from '../config/load-config.js';
import { fail, ok, skipped, type DoctorCheck } from './doctor-types.js';
import { hasModel, probeNamedProvider, type ProviderProbe } from './probe-provider.js';

/**
 * Each provider: key present, reachable and key accepted (its model listing answers), and each model the
 * config uses from it listed. Costs nothing: a listing generates no tokens.
 */
export async function checkProviders(
  config: Config,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<DoctorCheck[]> {
  const providers = await createProviders(config.providers, options.fetch ? { fetch: options.fetch } : {});
  const used = modelsByProvider(config);
  const perProvider = await Promise.all(
    Object.entries(config.providers).map(async ([name, provider]): Promise<DoctorCheck[]> => {
      const label = `provider ${name}`;
      if (provider.type !== 'ollama' && !provider.apiKey) {
        const variable = provider.missingEnv.apiKey;
        return [
          fail(
            label,
            `${provider.type}, no API key`,
            variable
              ? `set the environment variable ${variable}`
              : `set providers.${name}.apiKey (e.g. "\${${provider.type.toUpperCase()}_API_KEY}")`,
          ),
        ];
      }
      const probe = await probeNamedProvider(
        providers,
        name,
        options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
      );
      if (!probe.ok) return [providerFailure(name, provider, probe)];
      if (probe.cannotList !== undefined) return unlistedChecks(name, provider, probe.cannotList, used.get(name));
      const checks = [
        ok(
          label,
          // Ollama takes no key: only a provider that has one can have had it accepted.
          `${provider.type}${where(provider)}: reachable, ${provider.type === 'ollama' ? '' : 'key accepted, '}${probe.models.length} models listed (${provider.origin})`,
        ),
      ];
      for (const model of used.get(name) ?? []) checks.push(checkModel(name, provider, model, probe.models));
      return checks;
    }),
  );
  return perProvider.flat();
}

/**
 * A server that answered but has no model listing: not broken (many local OpenAI-compatible servers have
 * none), yet neither its key nor its models could be checked for free, so the model checks are skipped rather
 * than passed; the first call will say. A wrong base URL answers 404 too, hence the hint.
 */
function unlistedChecks(
  name: string,
  provider: ResolvedProviderConfig,
  reason: string,
  models: ReadonlySet<string> | undefined,
): DoctorCheck[] {
  return [
    ok(
      `provider ${name}`,
      `${provider.type}${where(provider)}: reachable, cannot list models (${reason}); its configured models are used as named (${provider.origin})`,
    ),
    ...[...(models ?? [])].map((model) =>
      skipped(
        `model ${name}/${model}`,
        `not checked: the provider cannot list its models (if its first call answers 404 too, check providers.${name}.baseURL)`,
      ),
    ),
  ];
}

function providerFailure(name: string, provider: ResolvedProviderConfig, probe: ProviderProbe): DoctorCheck {
  const label = `provider ${name}`;
  const reason = probe.message ?? 'no answer';
  if (probe.problem === 'unreachable') {
    const fix =
      provider.type === 'ollama'
        ? `start Ollama (ollama serve) or set providers.${name}.baseURL to where it listens`
        : `check the network, or providers.${name}.baseURL if it is set`;
    return fail(label, `${provider.type}${where(provider)}: unreachable (${reason})`, fix);
  }
  if (probe.problem === 'key-refused') {
    const source = /^environment: (\w+)/.exec(provider.origin)?.[1];
    return fail(
      label,
      `${provider.type}${where(provider)}: key refused (${reason})`,
      source ? `set a valid key in ${source}` : `set a valid key in providers.${name}.apiKey`,
    );
  }
  if (probe.problem === 'unsupported') return fail(label, reason, `check the provider's type and baseURL`);
  return fail(
    label,
    `${provider.type}${where(provider)}: ${reason}`,
    `check providers.${name} (baseURL, key) and the provider's status page`,
  );
}

function checkModel(
  providerName: string,
  provider: ResolvedProviderConfig,
  model: string,
  listed: string[],
): DoctorCheck {
  const label = `model ${providerName}/${model}`;
  if (hasModel(listed, model)) return ok(label, 'listed by the provider');
  if (provider.type === 'ollama') return fail(label, `not pulled into this Ollama`, `ollama pull ${model}`);
  const examples = listed
    .slice(0, 4)
    .map((id) => `${providerName}/${id}`)
    .join(', ');
  return fail(
    label,
    `the provider does not list it`,
    `use a model it lists in models.default or models.actions${examples ? ` (e.g. ${examples})` : ''}`,
  );
}

/** The models the config uses, grouped by provider: models.default and every models.actions entry. */
function modelsByProvider(config: Config): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const fullName of [config.models.default, ...Object.values(config.models.actions)]) {
    const slash = fullName.indexOf('/');
    const provider = fullName.slice(0, slash);
    if (!used.has(provider)) used.set(provider, new Set());
    used.get(provider)?.add(fullName.slice(slash + 1));
  }
  return used;
}

function where(provider: ResolvedProviderConfig): string {
  return provider.baseURL ? ` at ${provider.baseURL}` : '';
}
