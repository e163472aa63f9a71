import type { Usage } from '../types/run-record.js';

/** How the shared ledger (shared-ledger.ts) names its Redis hash fields, and reads them back. */

/** A hash field: what it counts, then the provider and model as JSON (model ids hold `/`, `:` and spaces). */
export const field = (kind: string, provider: string, model: string) => `${kind} ${JSON.stringify([provider, model])}`;

function parseField(name: string): { kind: string; provider: string; model: string } | undefined {
  const space = name.indexOf(' ');
  try {
    const [provider, model] = JSON.parse(name.slice(space + 1)) as [unknown, unknown];
    if (space < 0 || typeof provider !== 'string' || typeof model !== 'string') return undefined;
    return { kind: name.slice(0, space), provider, model };
  } catch {
    return undefined;
  }
}

export const emptyUsage = (): Usage => ({ calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });

/** A hash of fields written by `field` as usage per `provider/model` (and the provider of each). */
export function usageByModel(hash: Record<string, string>): Map<string, { provider: string; usage: Usage }> {
  const models = new Map<string, { provider: string; usage: Usage }>();
  for (const [name, value] of Object.entries(hash)) {
    const parsed = parseField(name);
    if (!parsed) continue;
    const key = `${parsed.provider}/${parsed.model}`;
    let slot = models.get(key);
    if (!slot) {
      slot = { provider: parsed.provider, usage: emptyUsage() };
      models.set(key, slot);
    }
    const amount = Number(value);
    if (parsed.kind === 'costUnknown') {
      if (amount > 0) slot.usage.costUnknown = true;
    } else if (parsed.kind in slot.usage) slot.usage[parsed.kind as keyof Omit<Usage, 'costUnknown'>] = amount;
  }
  return models;
}
