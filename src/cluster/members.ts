import { z } from 'zod';
import type { RedisConnection } from './redis-connection.js';

/** A member whose record was not refreshed for this long is gone (its key expires). */
const MEMBER_TTL_MS = 10_000;

export const memberSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  url: z.string().nullable(),
  startedAt: z.string(),
  runsRunning: z.number().int().nonnegative(),
  seenAt: z.string(),
});
/** One daemon of the cluster, as `agentd status` lists it. */
export type Member = z.infer<typeof memberSchema>;

/**
 * The cluster's members: each writes its record under an expiring key, refreshed by its heartbeat, and adds its
 * id to a set; a member that dies disappears from the list when its key expires.
 */
export class Members {
  readonly #connection: RedisConnection;
  readonly #setKey: string;
  readonly #prefix: string;

  constructor(connection: RedisConnection, prefix: string) {
    this.#connection = connection;
    this.#prefix = prefix;
    this.#setKey = `${prefix}:members`;
  }

  /** Writes (or refreshes) this member's record. */
  async announce(member: Omit<Member, 'seenAt'>): Promise<void> {
    const record: Member = { ...member, seenAt: new Date().toISOString() };
    await this.#connection.client
      .multi()
      .sadd(this.#setKey, member.id)
      .set(this.#memberKey(member.id), JSON.stringify(record), 'PX', MEMBER_TTL_MS)
      .exec();
  }

  /** Removes this member's record (a graceful stop). */
  async leave(id: string): Promise<void> {
    await this.#connection.client.multi().srem(this.#setKey, id).del(this.#memberKey(id)).exec();
  }

  /** Live members, sorted by id; forgets the ids of those whose record expired. */
  async list(): Promise<Member[]> {
    const ids = await this.#connection.client.smembers(this.#setKey);
    if (ids.length === 0) return [];
    const records = await this.#connection.client.mget(...ids.map((id) => this.#memberKey(id)));
    const members: Member[] = [];
    const gone: string[] = [];
    records.forEach((record, index) => {
      const parsed = record === null ? undefined : memberSchema.safeParse(JSON.parse(record));
      if (parsed?.success) members.push(parsed.data);
      else gone.push(ids[index] as string);
    });
    if (gone.length > 0) await this.#connection.client.srem(this.#setKey, ...gone);
    return members.sort((a, b) => a.id.localeCompare(b.id));
  }

  #memberKey(id: string): string {
    return `${this.#prefix}:member:${id}`;
  }
}
