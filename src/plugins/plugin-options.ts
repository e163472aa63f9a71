import { z } from 'zod';
import { ConfigError, unknownKeysMessage } from '../errors.js';
import { registerSecrets } from '../secrets.js';

/**
 * Validates a plugin's options with its own schema, failing at load time with the key path
 * (`plugins.search.baseURL: expected a URL`), as fastify plugins fail at registration.
 */
export function parsePluginOptions<T extends z.ZodType>(
  kind: string,
  schema: T,
  options: Record<string, unknown>,
): z.output<T> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      path: ['plugins', kind, ...issue.path.map(String)].join('.'),
      message:
        issue.code === 'unrecognized_keys'
          ? unknownKeys(issue.keys, issue.path.length === 0 ? schema : undefined)
          : issue.message,
    })),
    { source: `plugin ${String(options.use)}` },
  );
}

/** A typo'd option (a strict schema refused it) said as the config's own unknown keys are, with the valid ones. */
function unknownKeys(keys: readonly string[], schema: z.ZodType | undefined): string {
  return unknownKeysMessage(keys, schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined);
}

/** An API key from the options, else from the environment variable that names it; a clear error otherwise. */
export function requireKey(
  kind: string,
  plugin: string,
  key: string | undefined,
  envName: string,
  env: NodeJS.ProcessEnv,
): string {
  const found = key ?? env[envName];
  // Backends that echo their URL put the key into errors and logs: scrubbed wherever it appears.
  registerSecrets(found);
  if (!found) {
    throw new ConfigError([
      {
        path: `plugins.${kind}.apiKey`,
        message: `the ${plugin} plugin needs an API key: set the environment variable ${envName} or plugins.${kind}.apiKey`,
      },
    ]);
  }
  return found;
}
