/**
 * Access to a unit: permissions on its folder in the staff library, membership of its DG group, and
 * user look-ups. The planner (core/permissionPlanner) decides; this file only reads and applies.
 */
import type { Logger } from 'pino';
import type { DgGroupKind, FolderPermission, GroupMember, Unit } from '../core/model';
import { encodePath, odataString, type GraphHttp } from './client';
import { GraphError } from './errors';
import type { SiteLocations } from './sharepoint';

/** Graph's `permission` resource, the parts we read. */
interface PermissionResource {
  id: string;
  roles?: string[];
  inheritedFrom?: Record<string, unknown> | null;
  link?: unknown;
  invitation?: { email?: string; signInRequired?: boolean };
  grantedTo?: IdentitySet;
  grantedToV2?: IdentitySet;
  grantedToIdentitiesV2?: IdentitySet[];
}
interface Identity {
  id?: string;
  displayName?: string;
  email?: string;
  loginName?: string;
}
interface IdentitySet {
  user?: Identity;
  siteUser?: Identity;
  group?: Identity;
  siteGroup?: Identity;
}

/** Normalises Graph's permission resource (v1.0 `grantedToV2` first, older `grantedTo` as fallback). */
export function folderPermissionFrom(p: PermissionResource): FolderPermission {
  const g = p.grantedToV2 ?? p.grantedTo ?? p.grantedToIdentitiesV2?.[0] ?? {};
  const out: FolderPermission = {
    id: p.id,
    roles: p.roles ?? [],
    // Graph sets inheritedFrom only on inherited permissions; an empty object still means inherited.
    inherited: p.inheritedFrom != null
  };
  const u = g.user ?? g.siteUser;
  if (u) {
    const email = u.email ?? emailFromLogin(u.loginName) ?? p.invitation?.email;
    out.user = { ...(u.id && g.user ? { id: u.id } : {}), ...(email ? { email: email.toLowerCase() } : {}), ...(u.displayName ? { displayName: u.displayName } : {}) };
  } else if (p.invitation?.email && !p.link) {
    out.user = { email: p.invitation.email.toLowerCase() };
  }
  const grp = g.group ?? g.siteGroup;
  if (grp && !u) {
    out.group = { ...(grp.id ? { id: grp.id } : {}), ...(grp.displayName ? { displayName: grp.displayName } : {}) };
  }
  if (p.link) {
    out.link = true;
  }
  return out;
}

/** 'i:0#.f|membership|anna@contoso.se' → 'anna@contoso.se'. */
function emailFromLogin(login: string | undefined): string | undefined {
  const last = login?.split('|').pop();
  return last && last.includes('@') ? last : undefined;
}

/** Graph group → our DG kind (Microsoft's group types table: groupTypes, mailEnabled, securityEnabled). */
export function groupKind(g: { groupTypes?: string[]; mailEnabled?: boolean; securityEnabled?: boolean }): DgGroupKind {
  if (g.groupTypes?.includes('Unified')) {
    return 'unified';
  }
  if (g.securityEnabled) {
    return g.mailEnabled ? 'mailEnabledSecurity' : 'security';
  }
  return 'distributionList';
}

export interface GroupInfo {
  id: string;
  kind: DgGroupKind;
  members: GroupMember[];
}

export class Access {
  constructor(
    private readonly http: GraphHttp,
    private readonly where: SiteLocations,
    private readonly log: Logger,
    private readonly inviteSendsMail: boolean,
    private readonly verifyDelaysMs: number[] = [0, 500, 1000, 2000, 4000]
  ) {}

  private async folderPath(unit: Unit): Promise<string> {
    if (!unit.folder) {
      throw new GraphError(`Unit ${unit.id} has no folder`, { code: 'notFound', retryable: false, status: 404 });
    }
    return `/drives/${await this.where.staffDriveId()}/root:/${encodePath(unit.folder)}:`;
  }

  /**
   * The folder's permissions, direct and inherited (`inherited` says which).
   * @throws GraphError (404 when the folder or the unit's folder setting is missing).
   */
  async folderPermissions(unit: Unit): Promise<FolderPermission[]> {
    const items = await this.http.all<PermissionResource>(`${await this.folderPath(unit)}/permissions`, 'GET /drives/{drive}/root:/{folder}:/permissions');
    return items.map(folderPermissionFrom);
  }

  /**
   * Permissions of many folders through `$batch` (20 per request, throttled items retried).
   * Each unit maps to its permissions or to the GraphError of its item (e.g. 404 folder missing).
   * @throws GraphError only when the batch requests themselves fail.
   */
  async folderPermissionsMany(units: Unit[]): Promise<Map<string, FolderPermission[] | GraphError>> {
    const out = new Map<string, FolderPermission[] | GraphError>();
    const drive = await this.where.staffDriveId();
    const withFolder = units.filter((u) => {
      if (!u.folder) {
        out.set(u.id, new GraphError(`Unit ${u.id} has no folder`, { code: 'notFound', retryable: false, status: 404 }));
        return false;
      }
      return true;
    });
    const results = await this.http.batch(
      withFolder.map((u) => ({ method: 'GET' as const, url: `/drives/${drive}/root:/${encodePath(u.folder!)}:/permissions` })),
      'GET /drives/{drive}/root:/{folder}:/permissions'
    );
    const follow: Array<Promise<void>> = [];
    results.forEach((r, i) => {
      const unit = withFolder[i];
      if (!r.ok) {
        out.set(unit.id, r.error);
        return;
      }
      const perms = ((r.body?.value ?? []) as PermissionResource[]).map(folderPermissionFrom);
      const next = r.body?.['@odata.nextLink'] as string | undefined;
      if (next) {
        // Rare (a folder with more than a page of grants): finish that one outside the batch.
        follow.push(
          (async () => {
            try {
              for await (const page of this.http.pages<PermissionResource>(next, 'GET /drives/{drive}/root:/{folder}:/permissions')) {
                perms.push(...page.value.map(folderPermissionFrom));
              }
              out.set(unit.id, perms);
            } catch (err) {
              out.set(unit.id, err instanceof GraphError ? err : new GraphError(String(err), { retryable: true }));
            }
          })()
        );
      }
      out.set(unit.id, perms);
    });
    await Promise.all(follow);
    return out;
  }

  /**
   * Grants `role` on the unit's folder to `email` by invite (sign-in required; no invitation mail
   * unless configured), then reads the permissions until the grant shows. Graph can answer 200 to
   * invite before access takes effect, so the read is the proof.
   * @returns the verified permission.
   * @throws GraphError — 'grantNotEffective' (retryable) when the grant does not show after the
   *   verification reads; Graph's errors otherwise (400 bad address, 403 not allowed, 404 folder).
   */
  async grantFolder(unit: Unit, email: string, role: 'read' | 'write'): Promise<FolderPermission> {
    const addr = email.trim().toLowerCase();
    const res = await this.http.request<{ value?: PermissionResource[] }>({
      method: 'POST',
      path: `${await this.folderPath(unit)}/invite`,
      template: 'POST /drives/{drive}/root:/{folder}:/invite',
      body: { recipients: [{ email: addr }], roles: [role], requireSignIn: true, sendInvitation: this.inviteSendsMail },
      // Inviting twice gives the same grant: safe to retry like a read.
      policy: 'idempotent'
    });
    const answered = (res.body?.value ?? []).map(folderPermissionFrom);
    const wanted = (p: FolderPermission): boolean => !p.inherited && !p.link && p.user?.email === addr && (p.roles.includes(role) || (role === 'read' && p.roles.includes('write')) || p.roles.includes('owner'));
    for (const delay of this.verifyDelaysMs) {
      if (delay > 0) {
        await new Promise((r) => setTimeout(r, delay));
      }
      const now = await this.folderPermissions(unit);
      const found = now.find((p) => wanted(p)) ?? now.find((p) => answered.some((a) => a.id === p.id) && !p.inherited);
      if (found) {
        return found;
      }
    }
    this.log.warn({ op: 'access.grantFolder', unitId: unit.id, role, requestId: res.requestId }, 'invite answered but the grant is not visible');
    throw new GraphError(`Grant on the folder of unit ${unit.id} is not visible after invite`, { code: 'grantNotEffective', retryable: true, requestId: res.requestId });
  }

  /**
   * Removes a direct permission. Already gone (404) counts as done. Inherited permissions cannot
   * be deleted (Graph refuses); the planner never asks.
   * @throws GraphError
   */
  async revokeFolder(unit: Unit, permissionId: string): Promise<void> {
    try {
      await this.http.request({
        method: 'DELETE',
        path: `${await this.folderPath(unit)}/permissions/${encodeURIComponent(permissionId)}`,
        template: 'DELETE /drives/{drive}/root:/{folder}:/permissions/{id}'
      });
    } catch (err) {
      if (err instanceof GraphError && err.status === 404 && unit.folder) {
        return;
      }
      throw err;
    }
  }

  /**
   * The group with this SMTP address, its kind and its direct members; undefined when no group has
   * it. Distribution lists and mail-enabled security groups are read-only through Graph.
   * @throws GraphError
   */
  async group(dgAddress: string): Promise<GroupInfo | undefined> {
    const addr = dgAddress.trim().toLowerCase();
    const groups = await this.http.all<{ id: string; groupTypes?: string[]; mailEnabled?: boolean; securityEnabled?: boolean }>(
      `/groups?$filter=mail eq ${encodeURIComponent(odataString(addr))}&$select=id,mail,groupTypes,mailEnabled,securityEnabled`,
      'GET /groups?$filter=mail eq {address}'
    );
    const g = groups[0];
    if (!g) {
      return undefined;
    }
    const members = await this.http.all<{ id: string; mail?: string | null; userPrincipalName?: string; displayName?: string }>(
      `/groups/${encodeURIComponent(g.id)}/members?$select=id,mail,userPrincipalName,displayName`,
      'GET /groups/{id}/members'
    );
    return {
      id: g.id,
      kind: groupKind(g),
      members: members.map((m) => {
        const email = m.mail ?? m.userPrincipalName;
        return { id: m.id, ...(email ? { email: email.toLowerCase() } : {}), ...(m.displayName ? { displayName: m.displayName } : {}) };
      })
    };
  }

  /**
   * Many DG groups through `$batch`: first every address's group (`$filter=mail eq …`), then every
   * found group's direct members, 20 per request each (throttled items retried by the batch helper).
   * Each address maps to its group (as {@link group}), undefined when no group has it, or the
   * GraphError of its item. @throws GraphError only when the batch requests themselves fail.
   */
  async groupsMany(dgAddresses: string[]): Promise<Map<string, GroupInfo | undefined | GraphError>> {
    const out = new Map<string, GroupInfo | undefined | GraphError>();
    const addrs = [...new Set(dgAddresses.map((a) => a.trim().toLowerCase()).filter((a) => a !== ''))];
    const found = await this.http.batch(
      addrs.map((a) => ({
        method: 'GET' as const,
        url: `/groups?$filter=mail eq ${encodeURIComponent(odataString(a))}&$select=id,mail,groupTypes,mailEnabled,securityEnabled`
      })),
      'GET /groups?$filter=mail eq {address}'
    );
    const groups: Array<{ addr: string; g: { id: string; groupTypes?: string[]; mailEnabled?: boolean; securityEnabled?: boolean } }> = [];
    found.forEach((r, i) => {
      const addr = addrs[i];
      if (!r.ok) {
        out.set(addr, r.error);
        return;
      }
      const g = (r.body?.value ?? [])[0] as (typeof groups)[number]['g'] | undefined;
      if (!g) {
        out.set(addr, undefined);
        return;
      }
      groups.push({ addr, g });
    });
    type MemberResource = { id: string; mail?: string | null; userPrincipalName?: string; displayName?: string };
    const members = await this.http.batch(
      groups.map(({ g }) => ({ method: 'GET' as const, url: `/groups/${encodeURIComponent(g.id)}/members?$select=id,mail,userPrincipalName,displayName` })),
      'GET /groups/{id}/members'
    );
    const toInfo = (g: (typeof groups)[number]['g'], ms: MemberResource[]): GroupInfo => ({
      id: g.id,
      kind: groupKind(g),
      members: ms.map((m) => {
        const email = m.mail ?? m.userPrincipalName;
        return { id: m.id, ...(email ? { email: email.toLowerCase() } : {}), ...(m.displayName ? { displayName: m.displayName } : {}) };
      })
    });
    const follow: Array<Promise<void>> = [];
    members.forEach((r, i) => {
      const { addr, g } = groups[i];
      if (!r.ok) {
        out.set(addr, r.error);
        return;
      }
      const ms = [...((r.body?.value ?? []) as MemberResource[])];
      const next = r.body?.['@odata.nextLink'] as string | undefined;
      out.set(addr, toInfo(g, ms));
      if (next) {
        // A group with more than a page of members: finish that one outside the batch.
        follow.push(
          (async () => {
            try {
              for await (const page of this.http.pages<MemberResource>(next, 'GET /groups/{id}/members')) {
                ms.push(...page.value);
              }
              out.set(addr, toInfo(g, ms));
            } catch (err) {
              out.set(addr, err instanceof GraphError ? err : new GraphError(String(err), { retryable: true }));
            }
          })()
        );
      }
    });
    await Promise.all(follow);
    return out;
  }

  /**
   * Adds a user to a Microsoft 365 or security group. Already a member counts as done.
   * @throws GraphError — code 'groupNotWritable' (not retryable) for distribution lists and
   *   mail-enabled security groups, which Graph cannot change (an Exchange admin task).
   */
  async addMember(groupId: string, userId: string): Promise<void> {
    try {
      await this.http.request({
        method: 'POST',
        path: `/groups/${encodeURIComponent(groupId)}/members/$ref`,
        template: 'POST /groups/{id}/members/$ref',
        body: { '@odata.id': this.http.absolute(`/directoryObjects/${encodeURIComponent(userId)}`) },
        // Adding an existing member is a 400, not a second membership: safe to retry.
        policy: 'idempotent'
      });
    } catch (err) {
      const e = this.memberError(err, 'add');
      if (e !== 'done') {
        throw e;
      }
    }
  }

  /**
   * Removes a user from a group. Not a member (404) counts as done.
   * @throws GraphError — 'groupNotWritable' as for addMember.
   */
  async removeMember(groupId: string, userId: string): Promise<void> {
    try {
      await this.http.request({
        method: 'DELETE',
        path: `/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(userId)}/$ref`,
        template: 'DELETE /groups/{id}/members/{userId}/$ref'
      });
    } catch (err) {
      const e = this.memberError(err, 'remove');
      if (e !== 'done') {
        throw e;
      }
    }
  }

  /** Maps membership errors; 'done' when the group is already in the wanted state. */
  private memberError(err: unknown, what: 'add' | 'remove'): GraphError | 'done' {
    if (!(err instanceof GraphError)) {
      return new GraphError(String(err), { retryable: true, cause: err });
    }
    const text = err.message;
    if (err.status === 400 && what === 'add' && /already exist/i.test(text)) {
      return 'done';
    }
    if (err.status === 404 && what === 'remove' && !/group/i.test(err.code ?? '')) {
      return 'done';
    }
    if ((err.status === 400 || err.status === 403) && /mail-enabled|distribution list|MailEnabled|DistributionList|Exchange/i.test(text)) {
      return new GraphError(`Group membership cannot be changed through Graph (distribution list or mail-enabled security group)`, {
        status: err.status,
        code: 'groupNotWritable',
        retryable: false,
        requestId: err.requestId,
        cause: err
      });
    }
    return err;
  }

  /**
   * The Entra user with this sign-in name or mail; undefined when none.
   * @throws GraphError
   */
  async userByEmail(email: string): Promise<{ id: string; email: string; displayName?: string } | undefined> {
    const addr = email.trim().toLowerCase();
    type U = { id: string; mail?: string | null; userPrincipalName?: string; displayName?: string };
    const shape = (u: U): { id: string; email: string; displayName?: string } => ({
      id: u.id,
      email: (u.mail ?? u.userPrincipalName ?? addr).toLowerCase(),
      ...(u.displayName ? { displayName: u.displayName } : {})
    });
    try {
      // GET /users/{upn} answers directly when the address is the sign-in name (the usual case).
      return shape(await this.http.get<U>(`/users/${encodeURIComponent(addr)}?$select=id,mail,userPrincipalName,displayName`, 'GET /users/{upn}'));
    } catch (err) {
      if (!(err instanceof GraphError) || err.status !== 404) {
        throw err;
      }
    }
    const byMail = await this.http.get<{ value?: U[] }>(
      `/users?$filter=mail eq ${encodeURIComponent(odataString(addr))}&$select=id,mail,userPrincipalName,displayName`,
      'GET /users?$filter=mail eq {address}'
    );
    const u = byMail.value?.[0];
    return u ? shape(u) : undefined;
  }
}
