/**
 * `${NAME}` interpolation of every string in a parsed JSON document. A string naming an unset variable is
 * removed (as if the key were absent) and remembered, so that only the thing that needs it fails, with the
 * variable's name (CONTRACT.md: "a missing one is an error only when the thing that needs it is used").
 */

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface Interpolated {
  value: unknown;
  /** Key path (dot-joined) -> the environment variables it named that are unset. */
  missing: Map<string, string[]>;
}

export function interpolateEnv(document: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const missing = new Map<string, string[]>();

  const visit = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'string') {
      const absent: string[] = [];
      const replaced = value.replace(REFERENCE, (_match, name: string) => {
        const found = env[name];
        if (found === undefined || found === '') {
          absent.push(name);
          return '';
        }
        return found;
      });
      if (absent.length === 0) return replaced;
      missing.set(path.join('.'), absent);
      return undefined;
    }
    if (Array.isArray(value))
      return value.map((item, index) => visit(item, [...path, String(index)])).filter((item) => item !== undefined);
    if (value !== null && typeof value === 'object') {
      const result: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const next = visit(item, [...path, key]);
        if (next !== undefined) result[key] = next;
      }
      return result;
    }
    return value;
  };

  return { value: visit(document, []), missing };
}
