/**
 * Document libraries as drives, following Microsoft Graph v1.0: "driveItem resource type",
 * "List children of a driveItem", "Get a DriveItem resource" (by id and by path),
 * "Download the contents of a DriveItem" (302 to a pre-authenticated URL),
 * "Upload or replace the contents of a DriveItem", "driveItem: delta", "List sharing
 * permissions on a driveItem", "Send a sharing invitation" (invite), "Delete a sharing permission".
 */
import type { Ctx, Route } from '../context';
import { b64url, graphError, json, noContent, unb64url, type GraphRequest, type GraphResponse } from '../http';
import { applySelect, linkWith, q, selectOf, topOf } from '../odata';
import { makeToken, readToken, resync } from './sites';
import { newPermissionId, type Drive, type DriveItem, type Permission, type TenantState } from '../state';

const DEFAULT_PAGE = 200;
const MAX_PAGE = 1000;

const MIME: Record<string, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv'
};

export function mimeOf(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return MIME[ext] ?? 'application/octet-stream';
}

function notFound(req: GraphRequest): GraphResponse {
  return graphError(req, 404, 'itemNotFound', 'The resource could not be found.');
}

function drivePathRef(drive: Drive, state: TenantState, parentId: string): string {
  return `/drives/${drive.id}/root:${state.pathOf(drive, parentId)}`;
}

function libraryUrl(state: TenantState, drive: Drive): string {
  return `${state.site.webUrl}/${encodeURIComponent(drive.name)}`;
}

export function driveJson(state: TenantState, drive: Drive): Record<string, unknown> {
  return {
    createdDateTime: drive.created,
    description: '',
    id: drive.id,
    lastModifiedDateTime: drive.created,
    name: drive.displayName,
    webUrl: libraryUrl(state, drive),
    driveType: 'documentLibrary',
    createdBy: { user: { displayName: 'Systemkonto' } },
    owner: { group: { id: state.tenantId, displayName: `${state.site.displayName} Owners` } },
    quota: { deleted: 0, remaining: 27487790694400, state: 'normal', total: 27487790694400, used: 0 }
  };
}

function downloadUrl(ctx: Ctx, drive: Drive, item: DriveItem): string {
  return `${ctx.url}/_download/${b64url(JSON.stringify({ d: drive.id, i: item.id, e: ctx.state.epoch }))}`;
}

/** driveItem JSON. `inDelta` leaves out parentReference.path, which delta does not return. */
export function itemJson(ctx: Ctx, drive: Drive, item: DriveItem, inDelta = false): Record<string, unknown> {
  const state = ctx.state;
  const isRoot = item.parentId === null;
  const path = state.pathOf(drive, item.id);
  const out: Record<string, unknown> = {};
  if (!item.folder) {
    out['@microsoft.graph.downloadUrl'] = downloadUrl(ctx, drive, item);
  }
  Object.assign(out, {
    createdDateTime: item.created,
    eTag: `"{${item.guid.toUpperCase()}},${item.version}"`,
    id: item.id,
    lastModifiedDateTime: item.modified,
    name: item.name,
    webUrl: isRoot ? libraryUrl(state, drive) : `${libraryUrl(state, drive)}${path.split('/').map(encodeURIComponent).join('/')}`,
    cTag: `"c:{${item.guid.toUpperCase()}},${item.contentVersion}"`,
    size: item.folder ? folderSize(state, drive, item) : item.size,
    createdBy: { user: { displayName: 'Systemkonto' } },
    lastModifiedBy: { user: { displayName: 'Systemkonto' } },
    parentReference: isRoot
      ? { driveType: 'documentLibrary', driveId: drive.id }
      : {
          driveType: 'documentLibrary',
          driveId: drive.id,
          id: item.parentId,
          name: item.parentId === drive.rootId ? drive.name : drive.items.get(item.parentId!)?.name,
          ...(inDelta ? {} : { path: drivePathRef(drive, state, item.parentId!) }),
          siteId: state.site.id
        },
    fileSystemInfo: { createdDateTime: item.created, lastModifiedDateTime: item.modified }
  });
  if (item.folder) {
    out.folder = { childCount: state.children(drive, item.id).length };
  } else {
    out.file = { mimeType: mimeOf(item.name), hashes: { quickXorHash: b64url(`${item.guid}:${item.contentVersion}`).slice(0, 28) + '=' } };
  }
  if (isRoot) {
    out.root = {};
  }
  return out;
}

function folderSize(state: TenantState, drive: Drive, folder: DriveItem): number {
  let n = 0;
  for (const c of state.children(drive, folder.id)) {
    n += c.folder ? folderSize(state, drive, c) : c.size;
  }
  return n;
}

/* ---------- addressing ---------- */

type Resolved = { drive: Drive; item?: DriveItem; missingName?: string; parent?: DriveItem };

/** Resolves `root`, `items/{id}`, `root:/a/b:` and `items/{id}:/a/b:` against a drive. */
function resolve(state: TenantState, drive: Drive, base: string, relPath: string | undefined): Resolved {
  let item: DriveItem | undefined = base === 'root' ? drive.items.get(drive.rootId) : drive.items.get(base.replace(/^items\//, ''));
  if (!item || relPath === undefined || relPath === '' || relPath === '/') {
    return { drive, item };
  }
  const parts = relPath.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const next: DriveItem | undefined = state.childByName(drive, item!.id, parts[i]!);
    if (!next) {
      return i === parts.length - 1 ? { drive, parent: item, missingName: parts[i] } : { drive };
    }
    item = next;
  }
  return { drive, item };
}

/* ---------- handlers ---------- */

function children(req: GraphRequest, ctx: Ctx, drive: Drive, folder: DriveItem): GraphResponse {
  const top = topOf(req, DEFAULT_PAGE, MAX_PAGE);
  if (top === 'invalid') {
    return graphError(req, 400, 'invalidRequest', 'Invalid value for $top.');
  }
  const all = ctx.state.children(drive, folder.id).sort((a, b) => Number(b.folder) - Number(a.folder) || a.name.localeCompare(b.name, 'sv'));
  const st = q(req, 'skiptoken');
  const start = st ? Number(unb64url(st)?.replace(/^Paged=TRUE&p_SortBehavior=0&p_FileLeafRef=[^&]*&p_ID=/, '') ?? NaN) : 0;
  if (!Number.isInteger(start) || start < 0) {
    return graphError(req, 400, 'invalidRequest', 'Invalid skip token.');
  }
  const page = all.slice(start, start + top);
  const select = selectOf(req);
  const body: Record<string, unknown> = {
    '@odata.context': `${req.base}/$metadata#drives('${drive.id}')/items('${folder.id}')/children`,
    value: page.map((i) => applySelect(itemJson(ctx, drive, i), select))
  };
  if (start + top < all.length) {
    body['@odata.nextLink'] = linkWith(req, { $skiptoken: b64url(`Paged=TRUE&p_SortBehavior=0&p_FileLeafRef=x&p_ID=${start + top}`) });
  }
  return json(200, body);
}

function content(ctx: Ctx, drive: Drive, item: DriveItem, req: GraphRequest): GraphResponse {
  if (item.folder) {
    return graphError(req, 400, 'invalidRequest', 'Cannot download the content of a folder.');
  }
  // Graph answers 302 Found with a short-lived, pre-authenticated download URL.
  return { status: 302, headers: { location: downloadUrl(ctx, drive, item) } };
}

async function upload(req: GraphRequest, ctx: Ctx, r: Resolved): Promise<GraphResponse> {
  const state = ctx.state;
  const bytes = req.rawBody;
  const now = new Date().toISOString().slice(0, 19) + 'Z';
  if (r.item) {
    if (r.item.folder) {
      return graphError(req, 400, 'invalidRequest', 'Cannot upload content to a folder.');
    }
    const im = req.headers['if-match'];
    if (im && im !== '*' && im !== itemJson(ctx, r.drive, r.item).eTag && im !== itemJson(ctx, r.drive, r.item).cTag) {
      return graphError(req, 412, 'resourceModified', 'ETag does not match current item\'s value', { innerCode: 'entityTagDoesNotMatch' });
    }
    r.item.content = bytes;
    r.item.size = bytes.length;
    r.item.version += 1;
    r.item.contentVersion += 1;
    r.item.modified = now;
    r.item.seq = state.nextSeq();
    touchAncestors(state, r.drive, r.item);
    return json(200, itemJson(ctx, r.drive, r.item));
  }
  if (r.parent && r.missingName) {
    if (!r.parent.folder) {
      return graphError(req, 400, 'invalidRequest', 'The parent is not a folder.');
    }
    const item = state.addItem(r.drive, r.parent.id, r.missingName, false, now, bytes, bytes.length);
    touchAncestors(state, r.drive, item);
    return json(201, itemJson(ctx, r.drive, item));
  }
  return notFound(req);
}

/** A change below a folder changes the folders' cTags too (and puts them in delta). */
function touchAncestors(state: TenantState, drive: Drive, item: DriveItem): void {
  let cur = item.parentId ? drive.items.get(item.parentId) : undefined;
  while (cur) {
    cur.contentVersion += 1;
    cur.seq = state.nextSeq();
    cur = cur.parentId ? drive.items.get(cur.parentId) : undefined;
  }
}

function remove(req: GraphRequest, ctx: Ctx, drive: Drive, item: DriveItem): GraphResponse {
  if (item.parentId === null) {
    return graphError(req, 403, 'accessDenied', 'The root of a drive cannot be deleted.');
  }
  const state = ctx.state;
  const drop = (it: DriveItem): void => {
    for (const c of state.children(drive, it.id)) {
      drop(c);
    }
    drive.items.delete(it.id);
    drive.tombstones.set(it.id, { seq: state.nextSeq(), parentId: it.parentId, name: it.name, folder: it.folder });
  };
  drop(item);
  touchAncestors(state, drive, { ...item, parentId: item.parentId });
  return noContent();
}

function delta(req: GraphRequest, ctx: Ctx, drive: Drive): GraphResponse {
  const state = ctx.state;
  const top = topOf(req, DEFAULT_PAGE, MAX_PAGE);
  if (top === 'invalid') {
    return graphError(req, 400, 'invalidRequest', 'Invalid value for $top.');
  }
  const token = req.query.get('token');
  const link = (seq: number): string => linkWith(req, { token: makeToken(state, seq), $skiptoken: undefined });
  if (token === 'latest') {
    return json(200, { '@odata.context': `${req.base}/$metadata#Collection(driveItem)`, value: [], '@odata.deltaLink': link(state.seq) });
  }
  let since = 0;
  if (token) {
    const t = readToken(state, token);
    if (!t) {
      return resync(req);
    }
    since = t.s;
  }
  let cursor = since;
  const st = q(req, 'skiptoken');
  if (st) {
    const t = readToken(state, st);
    if (!t) {
      return resync(req);
    }
    cursor = t.s;
  }
  type Change = { seq: number; value: Record<string, unknown> };
  const changes: Change[] = [];
  for (const it of drive.items.values()) {
    if (it.seq > cursor) {
      changes.push({ seq: it.seq, value: itemJson(ctx, drive, it, true) });
    }
  }
  if (token) {
    for (const [id, t] of drive.tombstones) {
      if (t.seq > cursor) {
        changes.push({
          seq: t.seq,
          value: { id, name: t.name, parentReference: { driveType: 'documentLibrary', driveId: drive.id, id: t.parentId }, deleted: {}, ...(t.folder ? { folder: {} } : { file: {} }) }
        });
      }
    }
  }
  changes.sort((a, b) => a.seq - b.seq);
  const page = changes.slice(0, top);
  const body: Record<string, unknown> = { '@odata.context': `${req.base}/$metadata#Collection(driveItem)`, value: page.map((c) => applySelect(c.value, selectOf(req))) };
  if (changes.length > page.length) {
    body['@odata.nextLink'] = linkWith(req, { ...(token ? { token } : {}), $skiptoken: makeToken(state, page[page.length - 1]!.seq) });
  } else {
    body['@odata.deltaLink'] = link(state.seq);
  }
  return json(200, body);
}

/* ---------- permissions ---------- */

function visible(p: Permission): boolean {
  return p.visibleAt === undefined || p.visibleAt <= Date.now();
}

export function permissionJson(state: TenantState, p: Permission, inheritedFrom?: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: p.id, roles: p.roles };
  if (p.user) {
    const u = state.users.get(p.user);
    const user = { displayName: u?.displayName, email: u?.mail, id: p.user };
    out.grantedTo = { user };
    out.grantedToV2 = {
      user: { '@odata.type': '#microsoft.graph.sharePointIdentity', ...user },
      siteUser: {
        '@odata.type': '#microsoft.graph.sharePointIdentity',
        displayName: u?.displayName,
        email: u?.mail,
        id: String(u?.siteUserId ?? ''),
        loginName: `i:0#.f|membership|${u?.userPrincipalName ?? ''}`
      }
    };
  } else if (p.siteGroup !== undefined) {
    const g = state.siteGroups.get(p.siteGroup);
    out.grantedTo = { user: { displayName: g?.displayName } };
    out.grantedToV2 = { siteGroup: { '@odata.type': '#microsoft.graph.sharePointIdentity', displayName: g?.displayName, id: String(p.siteGroup), loginName: g?.displayName } };
  } else if (p.group) {
    const g = state.groups.get(p.group);
    out.grantedTo = { user: { displayName: g?.displayName, id: p.group } };
    out.grantedToV2 = {
      group: { '@odata.type': '#microsoft.graph.sharePointIdentity', displayName: g?.displayName, email: g?.mail ?? undefined, id: p.group },
      siteUser: { '@odata.type': '#microsoft.graph.sharePointIdentity', displayName: g?.displayName, id: '99', loginName: `c:0o.c|federateddirectoryclaimprovider|${p.group}` }
    };
  }
  if (p.link) {
    out.link = { scope: p.link.scope, type: p.link.type, webUrl: p.link.webUrl, preventsDownload: false };
    out.shareId = `u!${b64url(p.link.webUrl)}`;
    out.hasPassword = false;
    out.grantedToIdentitiesV2 = [];
    out.grantedToIdentities = [];
  }
  if (p.invitation) {
    out.invitation = { email: p.invitation.email, signInRequired: p.invitation.signInRequired };
  }
  if (inheritedFrom) {
    out.inheritedFrom = inheritedFrom;
  }
  return out;
}

/** Effective permissions: the item's own, or its nearest unique ancestor's with inheritedFrom. */
function effective(state: TenantState, drive: Drive, item: DriveItem): Array<{ p: Permission; inherited?: Record<string, unknown> }> {
  if (item.uniquePermissions || item.parentId === null) {
    return item.permissions.filter(visible).map((p) => ({ p }));
  }
  const src = state.permissionSource(drive, item);
  const ref = { driveId: drive.id, id: src.id, path: `/drives/${drive.id}/root:${state.pathOf(drive, src.id)}` };
  return src.permissions.filter((p) => visible(p) && !p.link).map((p) => ({ p, inherited: ref }));
}

function listPermissions(req: GraphRequest, ctx: Ctx, drive: Drive, item: DriveItem): GraphResponse {
  return json(200, {
    '@odata.context': `${req.base}/$metadata#drives('${drive.id}')/items('${item.id}')/permissions`,
    value: effective(ctx.state, drive, item).map(({ p, inherited }) => permissionJson(ctx.state, p, inherited))
  });
}

function invite(req: GraphRequest, ctx: Ctx, drive: Drive, item: DriveItem): GraphResponse {
  const state = ctx.state;
  const body = req.body as {
    recipients?: Array<{ email?: string; objectId?: string; alias?: string }>;
    roles?: string[];
    requireSignIn?: boolean;
    sendInvitation?: boolean;
    message?: string;
  };
  if (!body || !Array.isArray(body.recipients) || body.recipients.length === 0) {
    return graphError(req, 400, 'invalidRequest', 'recipients is required and must not be empty.');
  }
  if (!Array.isArray(body.roles) || body.roles.length === 0 || body.roles.some((r) => r !== 'read' && r !== 'write')) {
    return graphError(req, 400, 'invalidRequest', "roles is required; supported values are 'read' and 'write'.");
  }
  if (body.message && body.message.length > 2000) {
    return graphError(req, 400, 'invalidRequest', 'message exceeds the maximum length of 2000 characters.');
  }
  const targets: Array<{ user?: string; group?: string; email?: string }> = [];
  for (const r of body.recipients) {
    if (r.objectId) {
      if (state.users.has(r.objectId)) {
        targets.push({ user: r.objectId, email: state.users.get(r.objectId)!.mail });
      } else if (state.groups.has(r.objectId)) {
        targets.push({ group: r.objectId, email: state.groups.get(r.objectId)!.mail ?? undefined });
      } else {
        return graphError(req, 400, 'invalidRequest', `Recipient with objectId ${r.objectId} was not found in the directory.`);
      }
    } else if (r.email) {
      const u = state.userByMail(r.email);
      const g = u ? undefined : [...state.groups.values()].find((x) => x.mail === r.email!.toLowerCase());
      if (u) {
        targets.push({ user: u.id, email: r.email });
      } else if (g) {
        targets.push({ group: g.id, email: r.email });
      } else {
        // The recipient would be a new guest; the docs: new guests can't be invited with app-only access.
        return graphError(req, 400, 'invalidRequest', `New guests can't be invited using app-only access: ${r.email}`);
      }
    } else {
      return graphError(req, 400, 'invalidRequest', 'Each recipient needs an email or an objectId.');
    }
  }
  state.breakInheritance(drive, item);
  const visibleAt = state.inviteDelayMs > 0 ? Date.now() + state.inviteDelayMs : undefined;
  const results: Record<string, unknown>[] = [];
  for (const t of targets) {
    let p = item.permissions.find((x) => (t.user && x.user === t.user) || (t.group && x.group === t.group));
    if (p) {
      const roles = new Set([...p.roles, ...body.roles]);
      p.roles = roles.has('write') ? ['write'] : ['read'];
    } else {
      p = { id: newPermissionId(), roles: body.roles.includes('write') ? ['write'] : ['read'], user: t.user, group: t.group, visibleAt };
      if (t.email) {
        p.invitation = { email: t.email, signInRequired: body.requireSignIn ?? true };
      }
      item.permissions.push(p);
    }
    results.push(permissionJson(state, p));
    if (body.sendInvitation && t.email) {
      state.mail.push({
        id: `invite-${state.mail.length + 1}`,
        receivedAt: new Date().toISOString(),
        from: 'no-reply@sharepointonline.example',
        to: [t.email],
        cc: [],
        bcc: [],
        subject: `${state.site.displayName} har delat "${item.name}" med dig`,
        body: { contentType: 'text', content: `${body.message ?? ''}\n\n${itemJson(ctx, drive, item).webUrl as string}` },
        internetMessageHeaders: [],
        saveToSentItems: false,
        clientRequestId: req.clientRequestId,
        requestId: req.requestId
      });
    }
  }
  item.version += 1;
  item.seq = state.nextSeq();
  return json(200, { '@odata.context': `${req.base}/$metadata#Collection(permission)`, value: results });
}

function deletePermission(req: GraphRequest, ctx: Ctx, drive: Drive, item: DriveItem, permId: string): GraphResponse {
  const state = ctx.state;
  const eff = effective(state, drive, item).find((x) => x.p.id === permId);
  if (!eff) {
    return graphError(req, 404, 'itemNotFound', 'The permission could not be found.');
  }
  if (eff.inherited) {
    // Only non-inherited permissions can be deleted (Delete permission: inheritedFrom must be null).
    return graphError(req, 400, 'invalidRequest', 'Inherited permissions cannot be removed; the inheritedFrom property must be null.');
  }
  if (eff.p.roles.includes('owner')) {
    return graphError(req, 403, 'accessDenied', 'The owner permission cannot be removed.');
  }
  item.permissions = item.permissions.filter((p) => p.id !== permId);
  item.version += 1;
  item.seq = state.nextSeq();
  return noContent();
}

/* ---------- routes ---------- */

/**
 * Matches /drives/{d}/{root|items/{id}}[:/path[:]][/rest]. Graph's path addressing closes the path
 * with ':' when something follows (root:/a/b:/children) and may omit it at the end (root:/a/b).
 */
const ADDR = /^\/drives\/([^/]+)\/(root|items\/[^/:]+)(?::(\/[^:]*)(?::?))?(\/.*)?$/;

type Op = (req: GraphRequest, ctx: Ctx, r: Resolved, rest: string) => GraphResponse | Promise<GraphResponse>;

function driveOp(method: string, restPattern: RegExp, op: Op): Route {
  return {
    method,
    pattern: ADDR,
    handler: (req, ctx, p) => {
      const rest = p[3] ?? '';
      if (!restPattern.test(rest)) {
        return { status: -1 };
      }
      const drive = ctx.state.drives.get(p[0]!);
      if (!drive) {
        return graphError(req, 404, 'itemNotFound', 'The drive could not be found.');
      }
      return op(req, ctx, resolve(ctx.state, drive, p[1]!, p[2]), rest);
    }
  };
}

const needItem = (fn: (req: GraphRequest, ctx: Ctx, drive: Drive, item: DriveItem, rest: string) => GraphResponse | Promise<GraphResponse>): Op => (req, ctx, r, rest) =>
  r.item ? fn(req, ctx, r.drive, r.item, rest) : notFound(req);

export const driveRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/drives\/([^/]+)$/,
    handler: (req, ctx, p) => {
      const d = ctx.state.drives.get(p[0]!);
      return d ? json(200, applySelect(driveJson(ctx.state, d), selectOf(req))) : graphError(req, 404, 'itemNotFound', 'The drive could not be found.');
    }
  },
  driveOp('GET', /^$/, needItem((req, ctx, d, i) => json(200, applySelect(itemJson(ctx, d, i), selectOf(req))))),
  driveOp('GET', /^\/children$/, needItem((req, ctx, d, i) => (i.folder ? children(req, ctx, d, i) : json(200, { value: [] })))),
  driveOp('GET', /^\/content$/, needItem((req, ctx, d, i) => content(ctx, d, i, req))),
  driveOp('PUT', /^\/content$/, (req, ctx, r) => upload(req, ctx, r)),
  driveOp('DELETE', /^$/, needItem((req, ctx, d, i) => remove(req, ctx, d, i))),
  driveOp('GET', /^\/delta$/, (req, ctx, r) => {
    if (!r.item || r.item.parentId !== null) {
      // SharePoint and OneDrive for Business: delta is only supported on the root folder.
      return graphError(req, 400, 'invalidRequest', 'Delta is only supported on the root of a document library.');
    }
    return delta(req, ctx, r.drive);
  }),
  driveOp('GET', /^\/permissions$/, needItem((req, ctx, d, i) => listPermissions(req, ctx, d, i))),
  driveOp(
    'GET',
    /^\/permissions\/[^/]+$/,
    needItem((req, ctx, d, i, rest) => {
      const id = rest.split('/')[2]!;
      const found = effective(ctx.state, d, i).find((x) => x.p.id === id);
      return found ? json(200, permissionJson(ctx.state, found.p, found.inherited)) : graphError(req, 404, 'itemNotFound', 'The permission could not be found.');
    })
  ),
  driveOp('DELETE', /^\/permissions\/[^/]+$/, needItem((req, ctx, d, i, rest) => deletePermission(req, ctx, d, i, rest.split('/')[2]!))),
  driveOp('POST', /^\/invite$/, needItem((req, ctx, d, i) => invite(req, ctx, d, i)))
];

/** Serves a pre-authenticated download URL (no Authorization header, as with Graph's). */
export async function serveDownload(state: TenantState, token: string): Promise<{ status: number; type?: string; bytes?: Buffer; name?: string }> {
  let t: { d: string; i: string; e: string };
  try {
    t = JSON.parse(unb64url(token) ?? '') as typeof t;
  } catch {
    return { status: 401 };
  }
  if (t.e !== state.epoch) {
    return { status: 401 };
  }
  const item = state.drives.get(t.d)?.items.get(t.i);
  if (!item || item.folder) {
    return { status: 404 };
  }
  if (typeof item.content === 'function') {
    item.content = await item.content();
    item.size = item.content.length;
  }
  return { status: 200, type: mimeOf(item.name), bytes: item.content ?? Buffer.alloc(0), name: item.name };
}
