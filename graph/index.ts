/**
 * graph/: the only code that speaks Microsoft Graph. `createGraph` wires the request seam
 * (client.ts) to the resource helpers; other folders see only the {@link Graph} interface and
 * {@link GraphError}.
 */
import type { Logger } from 'pino';
import type { FolderPermission, Unit } from '../core/model';
import type { StaffListParseOptions } from '../core/staffList';
import { Access, type GroupInfo } from './access';
import { createTokenProvider, type TokenProvider } from './auth';
import { GraphHttp } from './client';
import { limitsOf, type DeltaStore, type GraphSettings } from './config';
import { GraphError } from './errors';
import { Authz } from './authz';
import { Mailer, type Notice } from './mail';
import { siteLocations } from './sharepoint';
import { StaffLists, type RoutineDocument, type StaffListResult } from './staff';
import { Subscriptions } from './subscriptions';
import { UnitsCache, UnitsReader } from './units';

export { GraphError } from './errors';
export type { GraphSettings, DeltaStore } from './config';
export { memoryDeltaStore } from './config';
export type { StaffListResult, RoutineDocument } from './staff';
export type { Notice } from './mail';
export type { GroupInfo } from './access';
export { handleNotificationRequest } from './notifications';

export interface Graph {
  units: {
    /**
     * From the per-instance cache (UnitsCache: loaded once, kept fresh by delta); `fresh: true` reads
     * the list from Graph (the sync's reconcile) and refills the cache.
     * @throws GraphError when nothing is cached and Graph cannot answer
     */
    list(opts?: { fresh?: boolean }): Promise<Unit[]>;
    /** From the same cache; `fresh: true` reads the item from Graph. @throws GraphError as list() */
    get(id: string, opts?: { fresh?: boolean }): Promise<Unit | undefined>;
    /**
     * List item delta on the shared deltaLink (the permission sync's); `full` = complete state (first
     * run or after 410). The instance's units cache learns from the result. @throws GraphError
     */
    delta(): Promise<{ changed: Unit[]; removedIds: string[]; full: boolean }>;
  };
  staff: {
    /** Cached by cTag; a warm call costs 0 requests once refresh() has run. Unit trouble is data, not thrown. @throws GraphError when Graph is unreachable and nothing is cached */
    get(unit: Unit, opts?: Pick<StaffListParseOptions, 'knownUnits'>): Promise<StaffListResult>;
    /** Drive delta; invalidates the cache of changed folders. @throws GraphError */
    refresh(): Promise<{ changedUnitFolders: string[] }>;
    /** @throws GraphError */
    documents(unit: Unit): Promise<RoutineDocument[]>;
  };
  mail: {
    /**
     * Sends the notice, stamped with its idempotency key as an extended property and saved to Sent
     * Items. @throws GraphError with `.retryable` (and `.ambiguous` when it may have been sent)
     */
    sendNotice(n: Notice): Promise<void>;
    /**
     * The notice with this idempotency key in the mailbox's Sent Items, or undefined. Ask before
     * re-sending a notice whose earlier attempt's outcome is unknown (outbox attempts > 1); found →
     * do not send again. Exchange saves the copy asynchronously, so this protects re-attempts that
     * come late (after the outbox lease), not immediate ones — see graph/mail.ts.
     * @throws GraphError (retryable for 429/5xx/network) — then do not send; let the outbox retry.
     */
    findSent(idempotencyKey: string): Promise<{ id: string; sentDateTime?: string } | undefined>;
  };
  access: {
    /** @throws GraphError */
    folderPermissions(unit: Unit): Promise<FolderPermission[]>;
    /** Invite, then verify by reading. @throws GraphError ('grantNotEffective' when not visible) */
    grantFolder(unit: Unit, email: string, role: 'read' | 'write'): Promise<FolderPermission>;
    /** @throws GraphError */
    revokeFolder(unit: Unit, permissionId: string): Promise<void>;
    /** Through $batch. @throws GraphError only when the batch requests fail */
    folderPermissionsMany(units: Unit[]): Promise<Map<string, FolderPermission[] | GraphError>>;
    /** @throws GraphError */
    group(dgAddress: string): Promise<GroupInfo | undefined>;
    /**
     * Many groups (by address, lower-cased) with their members, through $batch: undefined = no such
     * group, GraphError = that item failed. @throws GraphError only when the batch requests fail
     */
    groupsMany(dgAddresses: string[]): Promise<Map<string, GroupInfo | undefined | GraphError>>;
    /** @throws GraphError ('groupNotWritable' for distribution lists / mail-enabled security groups) */
    addMember(groupId: string, userId: string): Promise<void>;
    /** @throws GraphError ('groupNotWritable' as above) */
    removeMember(groupId: string, userId: string): Promise<void>;
    /** @throws GraphError */
    userByEmail(email: string): Promise<{ id: string; email: string; displayName?: string } | undefined>;
  };
  /** Transitive, cached briefly. @throws GraphError when Graph cannot answer (fail closed). */
  authz: { isJourledare(aadObjectId: string): Promise<boolean>; isAdmin(aadObjectId: string): Promise<boolean> };
  subscriptions: {
    /** @throws GraphError */
    ensure(notificationUrl: string, clientState: string): Promise<{ id: string; expirationDateTime: string }>;
    /** @throws GraphError (404 when gone) */
    renew(id: string): Promise<void>;
    /** @throws GraphError */
    remove(id: string): Promise<void>;
  };
  /** One cheap read of the site, no retries, short timeout; never throws. For /readyz. */
  ping(): Promise<boolean>;
}

/**
 * Builds the Graph facade. Nothing is requested until the first call; site, list and drive are
 * resolved on first use (and retried on the next call if that fails).
 */
export function createGraph(settings: GraphSettings, deps: { logger: Logger; deltaStore: DeltaStore; tokens?: TokenProvider }): Graph {
  const log = deps.logger.child({ component: 'graph' });
  const limits = limitsOf(settings);
  const tokens = deps.tokens ?? createTokenProvider(settings.auth, settings.baseUrl);
  const http = new GraphHttp({ baseUrl: settings.baseUrl, tokens, limits, logger: log, deltaStore: deps.deltaStore });
  const libraryName = settings.staffDrive || 'Personallistor';
  const where = siteLocations(http, settings.siteId, settings.unitsList || 'Enheter', libraryName);
  const units = new UnitsCache(new UnitsReader(http, where, libraryName), {
    refreshMs: settings.unitsCacheRefreshMs ?? 60_000,
    maxAgeMs: settings.unitsCacheMaxAgeMs ?? 300_000,
    log
  });
  const staff = new StaffLists(http, where, log, settings.staffCacheMaxAgeMs ?? 6 * 3600_000, libraryName);
  const mailer = new Mailer(http, settings.mailbox, log);
  const access = new Access(http, where, log, settings.inviteSendsMail ?? false);
  const authz = new Authz(http, settings.jourledareGroupId, settings.adminGroupId, settings.authzCacheMs ?? 300_000, log);
  const subs = new Subscriptions(http, where, log);

  return {
    units: { list: (o) => units.list(o), get: (id, o) => units.get(id, o), delta: () => units.sharedDelta() },
    staff: { get: (u, o) => staff.get(u, o), refresh: () => staff.refresh(), documents: (u) => staff.documents(u) },
    mail: { sendNotice: (n) => mailer.sendNotice(n), findSent: (key) => mailer.findSent(key) },
    access: {
      folderPermissions: (u) => access.folderPermissions(u),
      grantFolder: (u, e, r) => access.grantFolder(u, e, r),
      revokeFolder: (u, id) => access.revokeFolder(u, id),
      folderPermissionsMany: (us) => access.folderPermissionsMany(us),
      group: (a) => access.group(a),
      groupsMany: (as) => access.groupsMany(as),
      addMember: (g, u) => access.addMember(g, u),
      removeMember: (g, u) => access.removeMember(g, u),
      userByEmail: (e) => access.userByEmail(e)
    },
    authz: { isJourledare: (id) => authz.isJourledare(id), isAdmin: (id) => authz.isAdmin(id) },
    subscriptions: { ensure: (url, cs) => subs.ensure(url, cs), renew: (id) => subs.renew(id), remove: (id) => subs.remove(id) },
    async ping(): Promise<boolean> {
      try {
        const sid = await where.siteId();
        await http.request({ method: 'GET', path: `/sites/${sid}?$select=id`, template: 'GET /sites/{site}', policy: 'none', timeoutMs: 5000 });
        return true;
      } catch (err) {
        log.warn({ op: 'ping', status: (err as GraphError).status, code: (err as GraphError).code }, 'graph not ready');
        return false;
      }
    }
  };
}
