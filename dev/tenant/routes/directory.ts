/**
 * Users and groups, following Microsoft Graph v1.0: "Get user", "List users" ($filter),
 * "Get group", "List group members", "Add members" (POST members/$ref), "Remove member"
 * (DELETE members/{id}/$ref), "List group transitive members", "user: checkMemberGroups",
 * "List a user's memberships (transitive)". Directory errors use the directory's codes
 * (Request_ResourceNotFound, Request_BadRequest), not SharePoint's.
 */
import type { Ctx, Route } from '../context';
import { b64url, graphError, json, noContent, unb64url, type GraphRequest, type GraphResponse } from '../http';
import { applySelect, linkWith, q, selectOf, topOf } from '../odata';
import type { Group, TenantState, User } from '../state';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;

export function userJson(u: User): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName ?? null,
    jobTitle: u.jobTitle ?? null,
    mail: u.mail,
    mobilePhone: u.mobilePhone ?? null,
    officeLocation: null,
    preferredLanguage: 'sv-SE',
    surname: u.surname ?? null,
    userPrincipalName: u.userPrincipalName,
    id: u.id
  };
}

export function groupJson(g: Group): Record<string, unknown> {
  return {
    id: g.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: '2024-01-15T08:00:00Z',
    description: g.description,
    displayName: g.displayName,
    groupTypes: g.groupTypes,
    mail: g.mail,
    mailEnabled: g.mailEnabled,
    mailNickname: g.mailNickname,
    onPremisesSyncEnabled: null,
    proxyAddresses: g.mail ? [`SMTP:${g.mail}`] : [],
    securityEnabled: g.securityEnabled,
    visibility: g.groupTypes.includes('Unified') ? 'Private' : null
  };
}

function directoryObject(state: TenantState, id: string): Record<string, unknown> | undefined {
  const u = state.users.get(id);
  if (u) {
    return { '@odata.type': '#microsoft.graph.user', ...userJson(u) };
  }
  const g = state.groups.get(id);
  return g ? { '@odata.type': '#microsoft.graph.group', ...groupJson(g) } : undefined;
}

function resourceNotFound(req: GraphRequest, id: string): GraphResponse {
  return graphError(req, 404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

/** Pages an id list with an opaque $skiptoken. */
function pageOf(req: GraphRequest, ctx: Ctx, ids: string[], context: string): GraphResponse {
  const top = topOf(req, DEFAULT_PAGE, MAX_PAGE);
  if (top === 'invalid') {
    return graphError(req, 400, 'Request_BadRequest', "Invalid value '" + String(q(req, 'top')) + "' for query parameter '$top'.");
  }
  const st = q(req, 'skiptoken');
  let start = 0;
  if (st) {
    const m = /^RFNwdA(\d+)$/.exec(unb64url(st) ?? '');
    if (!m) {
      return graphError(req, 400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.');
    }
    start = Number(m[1]);
  }
  const select = selectOf(req);
  const objs = ids.map((id) => directoryObject(ctx.state, id)).filter((x): x is Record<string, unknown> => !!x);
  const page = objs.slice(start, start + top);
  const body: Record<string, unknown> = { '@odata.context': `${req.base}/$metadata#${context}`, value: page.map((o) => applySelect(o, select)) };
  if (start + top < objs.length) {
    body['@odata.nextLink'] = linkWith(req, { $skiptoken: b64url(`RFNwdA${start + top}`) });
  }
  return json(200, body);
}

/** The `$filter` forms we support: `prop eq 'value'` (mail, userPrincipalName, displayName, mailNickname). */
function parseEqFilter(f: string): { prop: string; value: string } | undefined {
  const m = /^\s*(mail|userPrincipalName|displayName|mailNickname|id)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(f);
  return m ? { prop: m[1]!, value: m[2]!.replace(/''/g, "'") } : undefined;
}

function filterObjects<T extends Record<string, unknown>>(req: GraphRequest, all: T[]): T[] | GraphResponse {
  const f = q(req, 'filter');
  if (!f) {
    return all;
  }
  const parsed = parseEqFilter(f);
  if (!parsed) {
    return graphError(req, 400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  }
  const want = parsed.value.toLowerCase();
  const key = Object.keys(all[0] ?? {}).find((k) => k.toLowerCase() === parsed.prop.toLowerCase()) ?? parsed.prop;
  return all.filter((o) => String(o[key] ?? '').toLowerCase() === want);
}

/** Ids in an @odata.id: …/directoryObjects/{id}, …/users/{id}, …/groups/{id}. */
function refId(body: unknown): string | undefined {
  const raw = (body as Record<string, unknown> | undefined)?.['@odata.id'];
  if (typeof raw !== 'string') {
    return undefined;
  }
  const m = /\/(?:directoryObjects|users|groups)\/([^/?]+)$/i.exec(raw);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/**
 * Graph cannot change members of mail-enabled security groups or distribution lists (both live
 * in Exchange): this is the error it answers with.
 */
function readOnlyMembers(req: GraphRequest, g: Group): GraphResponse | undefined {
  if (g.mailEnabled && !g.groupTypes.includes('Unified')) {
    return graphError(req, 400, 'Request_BadRequest', 'Cannot Update a mail-enabled security groups and or distribution list.');
  }
  return undefined;
}

export const directoryRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/users$/,
    handler: (req, ctx) => {
      const all = [...ctx.state.users.values()].map(userJson);
      const filtered = filterObjects(req, all);
      if (!Array.isArray(filtered)) {
        return filtered;
      }
      return pageOf(req, ctx, filtered.map((u) => String(u.id)), 'users');
    }
  },
  {
    method: 'GET',
    pattern: /^\/users\/([^/]+)$/,
    handler: (req, ctx, p) => {
      const u = ctx.state.userByIdOrUpn(p[0]!);
      return u ? json(200, { '@odata.context': `${req.base}/$metadata#users/$entity`, ...applySelect(userJson(u), selectOf(req)) }) : resourceNotFound(req, p[0]!);
    }
  },
  {
    method: 'GET',
    pattern: /^\/users\/([^/]+)\/(transitiveMemberOf|memberOf)$/,
    handler: (req, ctx, p) => {
      const u = ctx.state.userByIdOrUpn(p[0]!);
      if (!u) {
        return resourceNotFound(req, p[0]!);
      }
      const ids = p[1] === 'memberOf' ? [...ctx.state.groups.values()].filter((g) => g.members.includes(u.id)).map((g) => g.id) : ctx.state.transitiveMemberOf(u.id);
      return pageOf(req, ctx, ids, 'directoryObjects');
    }
  },
  {
    method: 'POST',
    pattern: /^\/(users|groups)\/([^/]+)\/checkMemberGroups$/,
    handler: (req, ctx, p) => {
      const id = p[0] === 'users' ? ctx.state.userByIdOrUpn(p[1]!)?.id : ctx.state.groups.get(p[1]!)?.id;
      if (!id) {
        return resourceNotFound(req, p[1]!);
      }
      const groupIds = (req.body as { groupIds?: unknown } | undefined)?.groupIds;
      if (!Array.isArray(groupIds) || groupIds.some((g) => typeof g !== 'string')) {
        return graphError(req, 400, 'Request_BadRequest', "Invalid request: 'groupIds' is required.");
      }
      if (groupIds.length > 20) {
        return graphError(req, 400, 'Request_BadRequest', 'The number of groupIds in the request exceeds the maximum of 20.');
      }
      const member = new Set(ctx.state.transitiveMemberOf(id));
      return json(200, { '@odata.context': `${req.base}/$metadata#Collection(Edm.String)`, value: (groupIds as string[]).filter((g) => member.has(g)) });
    }
  },
  {
    method: 'GET',
    pattern: /^\/groups$/,
    handler: (req, ctx) => {
      const all = [...ctx.state.groups.values()].map(groupJson);
      const filtered = filterObjects(req, all);
      if (!Array.isArray(filtered)) {
        return filtered;
      }
      return pageOf(req, ctx, filtered.map((g) => String(g.id)), 'groups');
    }
  },
  {
    method: 'GET',
    pattern: /^\/groups\/([^/]+)$/,
    handler: (req, ctx, p) => {
      const g = ctx.state.groups.get(p[0]!);
      return g ? json(200, { '@odata.context': `${req.base}/$metadata#groups/$entity`, ...applySelect(groupJson(g), selectOf(req)) }) : resourceNotFound(req, p[0]!);
    }
  },
  {
    method: 'GET',
    pattern: /^\/groups\/([^/]+)\/(members|transitiveMembers)$/,
    handler: (req, ctx, p) => {
      const g = ctx.state.groups.get(p[0]!);
      if (!g) {
        return resourceNotFound(req, p[0]!);
      }
      return pageOf(req, ctx, p[1] === 'members' ? g.members : ctx.state.transitiveMembers(g.id), 'directoryObjects');
    }
  },
  {
    method: 'POST',
    pattern: /^\/groups\/([^/]+)\/members\/\$ref$/,
    handler: (req, ctx, p) => {
      const g = ctx.state.groups.get(p[0]!);
      if (!g) {
        return resourceNotFound(req, p[0]!);
      }
      const ro = readOnlyMembers(req, g);
      if (ro) {
        return ro;
      }
      const id = refId(req.body);
      if (!id) {
        return graphError(req, 400, 'Request_BadRequest', "Invalid request body: '@odata.id' must reference a directory object.");
      }
      if (!ctx.state.users.has(id) && !ctx.state.groups.has(id)) {
        return resourceNotFound(req, id);
      }
      if (g.members.includes(id)) {
        return graphError(req, 400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.");
      }
      g.members.push(id);
      return noContent();
    }
  },
  {
    method: 'DELETE',
    pattern: /^\/groups\/([^/]+)\/members\/([^/]+)\/\$ref$/,
    handler: (req, ctx, p) => {
      const g = ctx.state.groups.get(p[0]!);
      if (!g) {
        return resourceNotFound(req, p[0]!);
      }
      const ro = readOnlyMembers(req, g);
      if (ro) {
        return ro;
      }
      if (!g.members.includes(p[1]!)) {
        return resourceNotFound(req, p[1]!);
      }
      g.members = g.members.filter((m) => m !== p[1]);
      return noContent();
    }
  }
];
