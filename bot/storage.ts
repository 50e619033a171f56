/**
 * botbuilder `Storage` over the SQL state store: conversation and user state live in PostgreSQL
 * (PGlite or a server), so a restart mid-conversation resumes it and several instances share it.
 *
 * Optimistic concurrency across instances: botbuilder's BotState writes every change with eTag `*`
 * (last write wins), so on its own two instances handling a double click on the same card at once
 * would both "succeed" and one answer's state would silently be lost. This storage remembers the
 * eTag it read for each key (every turn reads its state before writing it) and writes with that
 * eTag instead of `*`: the second writer gets an ETagConflictError, which the adapter's onTurnError
 * answers "this card has already been handled". Within one instance turns of a conversation run
 * one at a time (TrygghetsjourenBot.run), so the remembered eTag is that turn's own read.
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { StateStore } from '../store/stateStore';

/** The eTag written for a key that was read as absent: matches no row, so only the first insert wins. */
const ABSENT = 'absent';
/** Keys remembered at most (a read without a write leaves one behind); the oldest go first. */
const MAX_REMEMBERED = 10_000;

export class SqlStorage implements Storage {
  private readonly readETags = new Map<string, string>();

  constructor(private readonly store: StateStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items = await this.store.read(keys);
    for (const key of keys) {
      const eTag = (items[key] as { eTag?: unknown } | undefined)?.eTag;
      this.readETags.delete(key);
      this.readETags.set(key, typeof eTag === 'string' ? eTag : ABSENT);
    }
    while (this.readETags.size > MAX_REMEMBERED) {
      this.readETags.delete(this.readETags.keys().next().value as string);
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const guarded: StoreItems = {};
    for (const [key, value] of Object.entries(changes)) {
      const doc = (value ?? {}) as Record<string, unknown> & { eTag?: string };
      const read = this.readETags.get(key);
      guarded[key] = (doc.eTag === '*' || doc.eTag === undefined) && read !== undefined ? { ...doc, eTag: read } : doc;
      // One guarded write per read: a later write in the same turn (nothing read since) is `*` again.
      this.readETags.delete(key);
    }
    await this.store.write(guarded);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      this.readETags.delete(key);
    }
    await this.store.delete(keys);
  }
}
