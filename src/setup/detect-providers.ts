import { createProviders } from '../../providers/index.js';
import type { DetectedDefaults } from '../config/load-config.js';
import { ollamaBaseURL } from '../config/ollama-url.js';
import type { ProviderConfig } from '../config/schema.js';
import { chooseModel, fallbackModel } from './choose-model.js';
import { probeNamedProvider, type ProviderProbe } from './probe-provider.js';

/** A provider found in the environment, probed by listing its models. */
export interface DetectedProvider {
  name: string;
  /** As a config file writes it: keys as `"${NAME}"` references, never the key itself. */
  document: ProviderConfig;
  /** Where it came from, for the log, `status` and `init`. */
  origin: string;
  probe: ProviderProbe;
  /** Its cheap, capable model among the listed ones (the vendor's default when nothing was listed). */
  model: string;
}

export interface DetectOptions {
  /** Replaces the global fetch of the providers (tests). */
  fetch?: typeof fetch;
  /** @default 5000 */
  timeoutMs?: number;
}

/**
 * What the environment offers: `OPENAI_API_KEY` → openai, `ANTHROPIC_API_KEY` → anthropic (each kept even when
 * its probe fails, so that the failure is shown rather than hidden), and Ollama at `OLLAMA_HOST` or its default
 * address, kept only when it answers. All are probed at once by listing their models, which costs nothing.
 */
export async function detectProviders(
  env: NodeJS.ProcessEnv,
  options: DetectOptions = {},
): Promise<DetectedProvider[]> {
  const candidates: Array<{ name: string; document: ProviderConfig; origin: string; keepWhenDown: boolean }> = [];
  if (env.OPENAI_API_KEY) {
    candidates.push({
      name: 'openai',
      document: {
        type: 'openai',
        apiKey: '${OPENAI_API_KEY}',
        ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
      },
      origin: 'environment: OPENAI_API_KEY',
      keepWhenDown: true,
    });
  }
  if (env.ANTHROPIC_API_KEY) {
    candidates.push({
      name: 'anthropic',
      document: {
        type: 'anthropic',
        apiKey: '${ANTHROPIC_API_KEY}',
        ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
      },
      origin: 'environment: ANTHROPIC_API_KEY',
      keepWhenDown: true,
    });
  }
  const ollamaURL = ollamaBaseURL(env.OLLAMA_HOST);
  candidates.push({
    name: 'ollama',
    document: { type: 'ollama', baseURL: ollamaURL },
    origin: `Ollama answering at ${ollamaURL}${env.OLLAMA_HOST ? ' (OLLAMA_HOST)' : ''}`,
    keepWhenDown: false,
  });

  const providers = await createProviders(
    Object.fromEntries(
      candidates.map(({ name, document, origin }) => [
        name,
        { ...document, apiKey: resolveKey(document.apiKey, env), missingEnv: {}, origin },
      ]),
    ),
    options.fetch ? { fetch: options.fetch } : {},
  );
  const probes = await Promise.all(
    candidates.map(({ name }) =>
      probeNamedProvider(providers, name, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ),
  );
  return candidates.flatMap(({ name, document, origin, keepWhenDown }, index) => {
    const probe = probes[index] as ProviderProbe;
    if (!probe.ok && !keepWhenDown) return [];
    return [
      {
        name,
        document,
        origin,
        probe,
        model: probe.ok ? chooseModel(document.type, probe.models) : fallbackModel(document.type),
      },
    ];
  });
}

/** The providers and default model a config without `providers` runs with; undefined when nothing was found. */
export function detectedDefaults(detected: readonly DetectedProvider[]): DetectedDefaults | undefined {
  if (detected.length === 0) return undefined;
  // The first that works; when none does, the first found, so that its failure is what the user sees.
  const chosen = detected.find((provider) => provider.probe.ok) ?? (detected[0] as DetectedProvider);
  return {
    providers: Object.fromEntries(detected.map((provider) => [provider.name, provider.document])),
    origins: Object.fromEntries(detected.map((provider) => [provider.name, provider.origin])),
    defaultModel: `${chosen.name}/${chosen.model}`,
  };
}

function resolveKey(reference: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const name = /^\$\{([A-Z0-9_]+)\}$/.exec(reference ?? '')?.[1];
  return name ? env[name] : reference;
}
