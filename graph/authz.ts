/**
 * Who may do what: is this Teams user (Entra object id) in the jourledare group, in the admin group.
 * Transitive membership (nested groups count). The two groups' transitive members are read once
 * (`GET /groups/{id}/transitiveMembers`, paged) and answer every user for `ttlMs`, so neither a
 * conversation nor a second jourledare asks Graph on every turn. Groups larger than
 * {@link MAX_SET} members, or a failed group read, fall back to one `checkMemberGroups` call per
 * user (answers both), cached per user for `ttlMs`. Staleness: a membership change is seen within
 * `ttlMs` (default 5 min).
 */
import type { Logger } from 'pino';
import type { GraphHttp } from './client';
import { GraphError } from './errors';

interface Entry {
  groups: Set<string>;
  at: number;
}

/** Beyond this many transitive members a group is not held in memory (per-user look-ups instead). */
const MAX_SET = 5000;

interface GroupSets {
  jourledare: Set<string>;
  admin: Set<string>;
  at: number;
}

export class Authz {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Set<string>>>();
  private sets?: GroupSets;
  private setsInflight?: Promise<GroupSets | undefined>;
  /** After a failed or oversized group read: per-user look-ups until then. */
  private setsOffUntil = 0;

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

  /** Drops cached answers (all, or one user's: then the group sets too, as they hold everyone). */
  forget(aadObjectId?: string): void {
    this.sets = undefined;
    if (aadObjectId) {
      this.cache.delete(aadObjectId.toLowerCase());
    } else {
      this.cache.clear();
    }
  }

  /** The two groups' transitive members, fresh within ttlMs; undefined → ask per user. */
  private async groupSets(): Promise<GroupSets | undefined> {
    const now = Date.now();
    if (this.sets && now - this.sets.at < this.ttlMs) {
      return this.sets;
    }
    if (now < this.setsOffUntil) {
      return undefined;
    }
    if (!this.setsInflight) {
      this.setsInflight = (async () => {
        const at = Date.now();
        try {
          const [jourledare, admin] = await Promise.all([this.members(this.jourledareGroupId), this.members(this.adminGroupId)]);
          if (!jourledare || !admin) {
            this.setsOffUntil = Date.now() + this.ttlMs;
            this.log.info({ op: 'authz' }, 'authorization group too large to hold; looking users up one by one');
            return undefined;
          }
          this.sets = { jourledare, admin, at };
          this.log.debug({ op: 'authz', jourledare: jourledare.size, admin: admin.size }, 'authorization groups read');
          return this.sets;
        } catch (err) {
          this.setsOffUntil = Date.now() + this.ttlMs;
          this.log.warn({ op: 'authz', status: (err as GraphError).status, code: (err as GraphError).code }, 'authorization groups could not be read; looking users up one by one');
          return undefined;
        }
      })().finally(() => {
        this.setsInflight = undefined;
      });
    }
    return this.setsInflight;
  }

  /** Lower-cased ids of a group's transitive members; undefined when over MAX_SET. */
  private async members(groupId: string): Promise<Set<string> | undefined> {
    const out = new Set<string>();
    for await (const page of this.http.pages<{ id?: string }>(
      `/groups/${encodeURIComponent(groupId)}/transitiveMembers?$select=id&$top=999`,
      'GET /groups/{id}/transitiveMembers'
    )) {
      for (const m of page.value) {
        if (m.id) {
          out.add(m.id.toLowerCase());
        }
      }
      if (out.size > MAX_SET) {
        return undefined;
      }
    }
    return out;
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
    const sets = await this.groupSets();
    if (sets) {
      const groups = new Set<string>();
      if (sets.jourledare.has(id)) {
        groups.add(this.jourledareGroupId.toLowerCase());
      }
      if (sets.admin.has(id)) {
        groups.add(this.adminGroupId.toLowerCase());
      }
      return groups;
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
