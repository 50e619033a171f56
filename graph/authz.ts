/**
 * Who may do what: is this Teams user (Entra object id) in the jourledare group, in the admin group.
 * Transitive membership (nested groups count), one `checkMemberGroups` call answers both, cached
 * briefly per user so a conversation does not ask Graph on every turn.
 */
import type { Logger } from 'pino';
import type { GraphHttp } from './client';
import { GraphError } from './errors';

interface Entry {
  groups: Set<string>;
  at: number;
}

export class Authz {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly http: GraphHttp,
    private readonly jourledareGroupId: string,
    private readonly adminGroupId: string,
    private readonly ttlMs: number,
    private readonly log: Logger
  ) {}

  /** @throws GraphError when Graph cannot answer (callers refuse politely: fail closed). */
  async isJourledare(aadObjectId: string): Promise<boolean> {
    return (await this.groupsOf(aadObjectId)).has(this.jourledareGroupId.toLowerCase());
  }

  /** @throws GraphError when Graph cannot answer. */
  async isAdmin(aadObjectId: string): Promise<boolean> {
    return (await this.groupsOf(aadObjectId)).has(this.adminGroupId.toLowerCase());
  }

  /** Drops cached answers (all, or one user's). */
  forget(aadObjectId?: string): void {
    if (aadObjectId) {
      this.cache.delete(aadObjectId.toLowerCase());
    } else {
      this.cache.clear();
    }
  }

  private async groupsOf(aadObjectId: string): Promise<Set<string>> {
    const id = aadObjectId.trim().toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
      // Not an object id (forged or missing): nobody, and no Graph call.
      return new Set();
    }
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) {
      return hit.groups;
    }
    let p = this.inflight.get(id);
    if (!p) {
      p = this.ask(id).finally(() => this.inflight.delete(id));
      this.inflight.set(id, p);
    }
    return p;
  }

  private async ask(id: string): Promise<Set<string>> {
    let groups: Set<string>;
    try {
      const res = await this.http.request<{ value?: string[] }>({
        method: 'POST',
        path: `/users/${id}/checkMemberGroups`,
        template: 'POST /users/{id}/checkMemberGroups',
        body: { groupIds: [this.jourledareGroupId, this.adminGroupId] },
        // A read expressed as POST: safe to retry.
        policy: 'idempotent'
      });
      groups = new Set((res.body?.value ?? []).map((g) => g.toLowerCase()));
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) {
        groups = new Set(); // no such user in this tenant
      } else {
        throw err;
      }
    }
    this.cache.set(id, { groups, at: Date.now() });
    if (this.cache.size > 10_000) {
      const first = this.cache.keys().next().value;
      if (first !== undefined) {
        this.cache.delete(first);
      }
    }
    this.log.debug({ op: 'authz', jourledare: groups.has(this.jourledareGroupId.toLowerCase()), admin: groups.has(this.adminGroupId.toLowerCase()) }, 'membership looked up');
    return groups;
  }
}
