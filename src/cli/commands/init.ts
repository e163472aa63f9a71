import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findConfigFile, parseConfig } from '../../config/load-config.js';
import { DEFAULT_OLLAMA_URL } from '../../config/ollama-url.js';
import { chatModels } from '../../setup/choose-model.js';
import { detectProviders, type DetectedProvider } from '../../setup/detect-providers.js';
import { proposedSearch, searchChoices, starterConfig, type StarterChoices } from '../../setup/starter-config.js';
import { ExitCode, type Output } from '../output.js';
import { createPrompter, type Prompter } from '../prompter.js';

export interface InitOptions {
  configFile: string | undefined;
  yes: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where questions are read from and asked on; `terminal` says whether a person is there to answer. */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  prompts?: NodeJS.WritableStream;
  /** Replaces the global fetch of the providers (tests). */
  fetch?: typeof fetch;
}

/**
 * `agentd init [--config FILE] [--yes]`: finds the providers of the environment (keys, a reachable Ollama),
 * asks on a terminal which to use, the default model and the search backend (`--yes` takes the defaults),
 * and writes the config. An existing file is replaced only when the user says so on a terminal.
 */
export async function initCommand(options: InitOptions, output: Output): Promise<number> {
  const env = options.env ?? process.env;
  const input = options.input ?? process.stdin;
  const file = findConfigFile({ file: options.configFile, env }).file as string;
  const interactive = !options.yes;
  if (interactive && !input.isTTY) {
    output.error('agentd init: not a terminal, so there is no one to ask: pass --yes to take the defaults');
    return ExitCode.usage;
  }
  if (!interactive && existsSync(file)) {
    output.error(
      `agentd init: ${file} exists and was left unchanged (--yes never overwrites: run agentd init on a terminal to be asked, or choose another --config)`,
    );
    return ExitCode.failure;
  }
  const detected = await detectProviders(env, options.fetch ? { fetch: options.fetch } : {});
  output.out(describeFound(detected, env));
  const proposal = propose(detected, env);
  let choices = proposal;
  if (interactive) {
    const prompter = createPrompter(input, options.prompts ?? process.stdout);
    try {
      const asked = await ask(prompter, proposal, detected, env);
      if (!asked) {
        output.error(`agentd init: ${file} left unchanged`);
        return ExitCode.failure;
      }
      if (existsSync(file) && !(await prompter.confirm(`${file} exists. Replace it?`, false))) {
        output.error(`agentd init: ${file} left unchanged`);
        return ExitCode.failure;
      }
      choices = asked;
    } finally {
      prompter.close();
    }
  }
  const document = starterConfig(choices);
  // What is written must load: a config agentd itself rejects would be a poor start.
  parseConfig(document, { env, source: file });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  // Nothing found: the config is Ollama's, which is not there yet; starting the daemon first would only fail.
  const next =
    detected.length === 0
      ? `next: start Ollama (ollama serve, then ollama pull ${choices.defaultModel.slice(choices.defaultModel.indexOf('/') + 1)}), or set OPENAI_API_KEY or ANTHROPIC_API_KEY and run agentd init again; then agentd doctor`
      : 'next: agentd doctor, then agentd start';
  output.out(
    `wrote ${file}: ${choices.providers.map((provider) => provider.name).join(', ') || 'no provider'}, default model ${choices.defaultModel}, search ${choices.search.use}\n${next}`,
  );
  return ExitCode.ok;
}

/** The defaults: every provider found, the first that works with its cheap model, the first search backend. */
function propose(detected: readonly DetectedProvider[], env: NodeJS.ProcessEnv): StarterChoices {
  const working = detected.find((provider) => provider.probe.ok) ?? detected[0];
  if (working)
    return { providers: detected, defaultModel: `${working.name}/${working.model}`, search: proposedSearch(env) };
  // Nothing found: a local Ollama is the one provider that needs no account; doctor then says what to do.
  const ollama: DetectedProvider = {
    name: 'ollama',
    document: { type: 'ollama', baseURL: DEFAULT_OLLAMA_URL },
    origin: 'nothing found: Ollama at its default address',
    probe: { ok: false, models: [] },
    model: 'llama3.2',
  };
  return { providers: [ollama], defaultModel: 'ollama/llama3.2', search: proposedSearch(env) };
}

/** The questions; undefined when the user kept no provider. */
async function ask(
  prompter: Prompter,
  proposal: StarterChoices,
  detected: readonly DetectedProvider[],
  env: NodeJS.ProcessEnv,
): Promise<StarterChoices | undefined> {
  const providers: DetectedProvider[] = [];
  for (const provider of proposal.providers) {
    const works = provider.probe.ok;
    if (
      await prompter.confirm(
        `Use ${provider.name} (${provider.origin}${works ? '' : ', not answering now'})?`,
        works || detected.length === 0,
      )
    )
      providers.push(provider);
  }
  if (providers.length === 0) return undefined;
  const models = providers.flatMap((provider) =>
    chatModels(provider.probe.models, provider.model).map((model) => `${provider.name}/${model}`),
  );
  const unique = [...new Set(models)];
  const proposed = unique.indexOf(proposal.defaultModel);
  const defaultModel = unique[await prompter.choose('Default model:', unique, Math.max(proposed, 0))] as string;
  const backends = searchChoices(env);
  const chosen = await prompter.choose(
    'Search backend:',
    backends.map((backend) => backend.use),
    0,
  );
  // The prompter answers an index into the choices it was given; the proposal is only a type-level fallback.
  const search = backends[chosen] ?? proposal.search;
  return { providers, defaultModel, search };
}

function describeFound(detected: readonly DetectedProvider[], env: NodeJS.ProcessEnv): string {
  if (detected.length === 0) {
    return `found no provider: OPENAI_API_KEY and ANTHROPIC_API_KEY are unset and no Ollama answers at ${env.OLLAMA_HOST || DEFAULT_OLLAMA_URL}`;
  }
  return detected
    .map(
      (provider) =>
        `found ${provider.name} (${provider.origin}): ${provider.probe.ok ? `answers, ${listed(provider)}, default ${provider.model}` : `does not answer (${provider.probe.message ?? 'no answer'})`}`,
    )
    .join('\n');
}

/** How many models a provider listed; a server without a listing serves models all the same, unnamed here. */
function listed(provider: DetectedProvider): string {
  const { cannotList, models } = provider.probe;
  return cannotList === undefined
    ? `${models.length} models`
    : `cannot list its models (${cannotList}: set models.default to one it serves)`;
}
