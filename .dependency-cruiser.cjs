/**
 * The one-way flow of docs/ARCHITECTURE.md, checked on every `npm run lint` (and so `npm test`):
 * `depcruise src providers plugins` fails on an import that goes up a layer, an implementation imported
 * from anywhere but the composition root, a leaf type importing anything of ours, or a cycle.
 * Type-only imports count (tsPreCompilationDeps): a type is a dependency on the module that declares it.
 */

/**
 * Layers, top first. A module may import its own layer and the layers below it, never one above.
 * The diagram in docs/ARCHITECTURE.md is this list.
 */
const LAYERS = [
  { name: 'cli', path: '^src/cli/' },
  // The composition root: builds everything from the config (and `init`/`doctor`, which build providers too).
  { name: 'composition-root', path: '^src/(daemon|setup)/' },
  { name: 'api', path: '^src/server/' },
  // Cluster mode implements interfaces of the layers below (the run queue, run storage, the gateway's
  // Limiter and Budget); only the composition root builds it, and the API reads its status.
  { name: 'cluster', path: '^src/cluster/' },
  { name: 'run-manager', path: '^src/runs/' },
  { name: 'roles', path: '^src/roles/' },
  { name: 'actions', path: '^src/actions/' },
  { name: 'team-runtime', path: '^src/team/' },
  { name: 'plugin-implementations', path: '^plugins/' },
  {
    name: 'gateway',
    path: '^src/gateway/(?!(language-model|provider-errors|openai-options|rate-limit-headers|cancel-signal|chat-usage)[.]ts$)',
  },
  { name: 'provider-implementations', path: '^providers/' },
  // What a provider implements and the helpers it shares: the interface, the usage it builds, error normalising, OpenAI options,
  // the Cancellation a call is given.
  {
    name: 'provider-interface',
    path: '^src/gateway/(language-model|provider-errors|openai-options|rate-limit-headers|cancel-signal|chat-usage)[.]ts$',
  },
  { name: 'plugin-interface', path: '^src/plugins/' },
  { name: 'store', path: '^src/store/' },
  { name: 'config', path: '^src/config/' },
  { name: 'text', path: '^src/text/' },
  { name: 'foundation', path: '^src/(errors|logger|secrets|version)[.]ts$' },
  { name: 'types', path: '^src/types/' },
];

const upward = LAYERS.slice(1).map((layer, index) => ({
  name: `no-upward-from-${layer.name}`,
  comment: `${layer.name} imports only its own layer and those below it (${LAYERS.slice(index + 2)
    .map((below) => below.name)
    .join(', ')})`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(0, index + 1).map((above) => above.path) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'Modules import each other one way: a cycle makes both sides one unit.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'types-are-leaves',
      comment: 'The shared data types (run record, usage, run error, step, events) import nothing of ours.',
      severity: 'error',
      from: { path: '^src/types/' },
      to: { path: '^(src|providers|plugins)/', pathNot: '^src/types/' },
    },
    {
      name: 'implementations-only-from-the-composition-root',
      comment:
        'Interfaces never import implementations: only the composition root picks the providers and plugins it builds.',
      severity: 'error',
      from: { pathNot: '^(src/daemon/|src/setup/|providers/|plugins/)' },
      to: { path: '^(providers|plugins)/' },
    },
    {
      name: 'no-implementation-to-implementation',
      comment: 'A provider and a plugin know nothing of each other.',
      severity: 'error',
      from: { path: '^providers/' },
      to: { path: '^plugins/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Unchanged files are not parsed again: the check stays a second or two in every `npm test`.
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
  },
};
