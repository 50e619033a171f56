/**
 * botbuilder `Storage` over the SQL state store: conversation and user state live in PostgreSQL
 * (PGlite or a server), so a restart mid-conversation resumes it and several instances share it.
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { StateStore } from '../store/stateStore';

export class SqlStorage implements Storage {
  constructor(private readonly store: StateStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    return this.store.read(keys);
  }

  async write(changes: StoreItems): Promise<void> {
    await this.store.write(changes);
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}
