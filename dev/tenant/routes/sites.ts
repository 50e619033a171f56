/**
 * SharePoint sites, lists and list items, following Microsoft Graph v1.0:
 * "Get a site resource by path", "Get metadata for a list", "List items", "Get listItem",
 * "Update listItem" (PATCH …/fields), "listItem: delta", and "fieldValueSet resource type".
 */
import { DateTime } from 'luxon';
import type { Ctx, Route } from '../context';
import { b64url, graphError, json, noContent, unb64url, type GraphRequest, type GraphResponse } from '../http';
import { applySelect, expandFieldsOf, linkWith, q, selectOf, topOf } from '../odata';
import { guidFrom } from '../http';
import type { ListItem, SpList, TenantState } from '../state';

const SITE_TZ = 'Europe/Stockholm';
/** Person columns of the units list (multi-valued). */
export const PERSON_COLUMNS = ['Enhetschef', 'Tillforordnad'];
const DATE_COLUMNS = ['TillforordnadTom'];
const KNOWN_COLUMNS = ['Title', 'Avdelning', 'Enhetschef', 'Tillforordnad', 'TillforordnadTom', 'DGAdress', 'Mapp', 'Aktiv'];
const AVDELNING_CHOICES = ['Hemtjänst', 'Vård- och omsorgsboende', 'Hälso- och sjukvård'];
/** SharePoint's default page size for list items through Graph. */
const DEFAULT_PAGE = 200;
const MAX_PAGE = 5000;

export function siteJson(state: TenantState): Record<string, unknown> {
  return {
    createdDateTime: state.site.created,
    description: '',
    id: state.site.id,
    lastModifiedDateTime: state.site.created,
    name: state.site.name,
    webUrl: state.site.webUrl,
    displayName: state.site.displayName,
    root: {},
    siteCollection: { hostname: state.hostname }
  };
}

/** Site ids Graph accepts: the full composite id, or host,collection (root web). */
export function resolveSite(state: TenantState, key: string): boolean {
  const k = key.toLowerCase();
  const id = state.site.id.toLowerCase();
  return k === id || id.startsWith(k + ',') || k === id.split(',').slice(1).join(',');
}

function notFound(req: GraphRequest, what = 'The requested resource does not exist.'): GraphResponse {
  return graphError(req, 404, 'itemNotFound', what);
}

/** Lists are addressable by id or by title (display name) or URL name, as Graph allows. */
export function resolveList(state: TenantState, key: string): SpList | undefined {
  const k = key.toLowerCase();
  for (const l of state.lists.values()) {
    if (l.id.toLowerCase() === k || l.displayName.toLowerCase() === k || l.name.toLowerCase() === k) {
      return l;
    }
  }
  return undefined;
}

function listJson(state: TenantState, l: SpList): Record<string, unknown> {
  return {
    '@odata.etag': `"${l.id},1"`,
    createdDateTime: l.created,
    description: '',
    eTag: `"${l.id},1"`,
    id: l.id,
    lastModifiedDateTime: l.created,
    name: l.name,
    webUrl: l.template === 'documentLibrary' ? `${state.site.webUrl}/${encodeURIComponent(l.name)}` : `${state.site.webUrl}/Lists/${encodeURIComponent(l.name)}`,
    displayName: l.displayName,
    createdBy: { user: { displayName: 'Systemkonto' } },
    parentReference: { siteId: state.site.id },
    list: { contentTypesEnabled: false, hidden: false, template: l.template }
  };
}

function etag(item: ListItem): string {
  return `"${item.guid},${item.version}"`;
}

/** A date-only column value as Graph returns it: local midnight on the site, in UTC. */
function dateOut(ymd: string): string {
  return DateTime.fromISO(ymd, { zone: SITE_TZ }).startOf('day').toUTC().toISO({ suppressMilliseconds: true })!;
}

function personOut(state: TenantState, ids: string[]): Array<{ LookupId: number; LookupValue: string; Email: string }> {
  const out: Array<{ LookupId: number; LookupValue: string; Email: string }> = [];
  for (const id of ids) {
    const u = state.users.get(id);
    if (u) {
      out.push({ LookupId: u.siteUserId, LookupValue: u.displayName, Email: u.mail });
    }
  }
  return out;
}

/** The item's fieldValueSet in Graph's shape; empty columns are left out, as Graph does. */
export function fieldsJson(state: TenantState, item: ListItem, select?: string[]): Record<string, unknown> {
  const f = item.fields;
  const all: Record<string, unknown> = { '@odata.etag': etag(item) };
  for (const col of KNOWN_COLUMNS) {
    const v = f[col];
    if (v === undefined || v === null || v === '') {
      continue;
    }
    if (PERSON_COLUMNS.includes(col)) {
      const ids = v as string[];
      if (ids.length) {
        all[col] = personOut(state, ids);
      }
    } else if (DATE_COLUMNS.includes(col)) {
      all[col] = dateOut(String(v));
    } else {
      all[col] = v;
    }
  }
  Object.assign(all, {
    id: item.id,
    ContentType: 'Item',
    Modified: item.modified,
    Created: item.created,
    AuthorLookupId: '1073741822',
    EditorLookupId: '1073741822',
    _UIVersionString: `${item.version}.0`,
    Attachments: false,
    Edit: '',
    LinkTitleNoMenu: f.Title,
    LinkTitle: f.Title,
    ItemChildCount: '0',
    FolderChildCount: '0',
    _ComplianceFlags: '',
    _ComplianceTag: '',
    _ComplianceTagWrittenTime: '',
    _ComplianceTagUserId: ''
  });
  if (!select || select.length === 0) {
    return all;
  }
  const out: Record<string, unknown> = { '@odata.etag': etag(item) };
  for (const name of select) {
    const lookup = /^(.*)LookupId$/.exec(name);
    if (lookup && PERSON_COLUMNS.includes(lookup[1]!)) {
      const ids = (f[lookup[1]!] as string[] | undefined) ?? [];
      if (ids.length) {
        out[name] = personOut(state, ids).map((p) => String(p.LookupId));
      }
    } else if (name in all) {
      out[name] = all[name];
    }
  }
  return out;
}

function itemJson(state: TenantState, list: SpList, item: ListItem, expandFields: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    '@odata.etag': etag(item),
    createdDateTime: item.created,
    eTag: etag(item),
    id: item.id,
    lastModifiedDateTime: item.modified,
    webUrl: `${state.site.webUrl}/Lists/${encodeURIComponent(list.name)}/${item.id}_.000`,
    createdBy: { user: { displayName: 'Systemkonto' } },
    lastModifiedBy: { user: { displayName: 'Systemkonto' } },
    parentReference: { id: guidFrom(`parent:${list.id}`), siteId: state.site.id },
    contentType: { id: '0x0100B9E5B1C5F5A4E84C9E1A0C2B5D3F7A21', name: 'Item' }
  };
  if (expandFields !== undefined) {
    out['fields@odata.context'] = `${state.site.webUrl}/$metadata#fields/$entity`;
    out.fields = fieldsJson(state, item, expandFields);
  }
  return out;
}

function sortedItems(list: SpList): ListItem[] {
  return [...list.items.values()].sort((a, b) => Number(a.id) - Number(b.id));
}

/** SharePoint-style skiptoken: base64 of "Paged=TRUE&p_ID=<last id>". Opaque to clients. */
function skipToken(lastId: string): string {
  return Buffer.from(`Paged=TRUE&p_ID=${lastId}`).toString('base64');
}

function listItems(req: GraphRequest, ctx: Ctx, list: SpList): GraphResponse {
  const top = topOf(req, DEFAULT_PAGE, MAX_PAGE);
  if (top === 'invalid') {
    return graphError(req, 400, 'invalidRequest', 'Invalid value for $top.');
  }
  if (q(req, 'filter') && !req.headers['prefer']?.includes('HonorNonIndexedQueriesWarningMayFailRandomly')) {
    return graphError(req, 400, 'invalidRequest', "Field(s) in the filter are not indexed. Add 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' or index the columns.");
  }
  let after = 0;
  const st = q(req, 'skiptoken');
  if (st) {
    const m = /p_ID=(\d+)/.exec(Buffer.from(st, 'base64').toString('utf8'));
    if (!m) {
      return graphError(req, 400, 'invalidRequest', 'Invalid skip token.');
    }
    after = Number(m[1]);
  }
  let items = sortedItems(list).filter((i) => Number(i.id) > after);
  const filter = q(req, 'filter');
  if (filter) {
    const m = /^fields\/(\w+)\s+eq\s+(?:'([^']*)'|(\d+|true|false))$/i.exec(filter.trim());
    if (!m) {
      return graphError(req, 400, 'invalidRequest', 'Unsupported filter expression.');
    }
    const [, col, str, lit] = m;
    items = items.filter((i) => {
      const v = i.fields[col!];
      if (str !== undefined) {
        return v === str;
      }
      if (typeof v === 'boolean') {
        return v === (lit === 'true' || lit === '1');
      }
      return String(v) === lit;
    });
  }
  const page = items.slice(0, top);
  const expand = expandFieldsOf(req);
  const select = selectOf(req);
  const body: Record<string, unknown> = {
    '@odata.context': `${req.base}/$metadata#sites('${ctx.state.site.id}')/lists('${list.id}')/items`,
    value: page.map((i) => applySelect(itemJson(ctx.state, list, i, expand), select))
  };
  if (items.length > page.length) {
    body['@odata.nextLink'] = linkWith(req, { $skiptoken: skipToken(page[page.length - 1]!.id) });
  }
  return json(200, body);
}

/* ---------- delta ---------- */

interface DeltaToken {
  e: string;
  s: number;
}

export function makeToken(state: TenantState, seq: number): string {
  return b64url(JSON.stringify({ e: state.epoch, s: seq }));
}

export function readToken(state: TenantState, token: string): DeltaToken | undefined {
  const raw = unb64url(token);
  try {
    const t = JSON.parse(raw ?? '') as DeltaToken;
    if (t && t.e === state.epoch && Number.isInteger(t.s) && t.s <= state.seq) {
      return t;
    }
  } catch {
    /* fall through: an unknown token */
  }
  return undefined;
}

/**
 * Resync answer for a token we cannot serve (listItem: delta / driveItem: delta):
 * 410 Gone with a Location header that starts a fresh enumeration.
 */
export function resync(req: GraphRequest): GraphResponse {
  const fresh = linkWith(req, { token: undefined, $skiptoken: undefined });
  return graphError(
    req,
    410,
    'resyncRequired',
    "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.",
    { headers: { location: fresh }, innerCode: 'resyncChangesApplyDifferences' }
  );
}

function listDelta(req: GraphRequest, ctx: Ctx, list: SpList): GraphResponse {
  const state = ctx.state;
  const top = topOf(req, DEFAULT_PAGE, MAX_PAGE);
  if (top === 'invalid') {
    return graphError(req, 400, 'invalidRequest', 'Invalid value for $top.');
  }
  const token = req.query.get('token');
  const deltaBase = (seq: number): string => linkWith(req, { token: makeToken(state, seq), $skiptoken: undefined });
  if (token === 'latest') {
    return json(200, { '@odata.context': `${req.base}/$metadata#Collection(listItem)`, value: [], '@odata.deltaLink': deltaBase(state.seq) });
  }
  let since = 0;
  let initial = true;
  if (token) {
    const t = readToken(state, token);
    if (!t) {
      return resync(req);
    }
    since = t.s;
    initial = false;
  }
  // A page cursor rides in $skiptoken (the seq of the last change returned).
  const st = q(req, 'skiptoken');
  let cursor = since;
  if (st) {
    const t = readToken(state, st);
    if (!t) {
      return resync(req);
    }
    cursor = t.s;
  }
  type Change = { seq: number; item?: ListItem; deletedId?: string };
  const changes: Change[] = [];
  for (const i of list.items.values()) {
    if (i.seq > cursor) {
      changes.push({ seq: i.seq, item: i });
    }
  }
  if (!initial) {
    for (const [id, seq] of list.tombstones) {
      if (seq > cursor) {
        changes.push({ seq, deletedId: id });
      }
    }
  }
  changes.sort((a, b) => a.seq - b.seq);
  const page = changes.slice(0, top);
  const expand = expandFieldsOf(req);
  const select = selectOf(req);
  const value = page.map((c) =>
    c.item
      ? applySelect(itemJson(state, list, c.item, expand), select)
      : {
          id: c.deletedId,
          parentReference: { siteId: state.site.id },
          contentType: { id: '0x0100B9E5B1C5F5A4E84C9E1A0C2B5D3F7A21', name: 'Item' },
          deleted: { state: 'deleted' }
        }
  );
  const body: Record<string, unknown> = { '@odata.context': `${req.base}/$metadata#Collection(listItem)`, value };
  if (changes.length > page.length) {
    const keep = token ? { token } : {};
    body['@odata.nextLink'] = linkWith(req, { ...keep, $skiptoken: makeToken(state, page[page.length - 1]!.seq) });
  } else {
    body['@odata.deltaLink'] = deltaBase(state.seq);
  }
  return json(200, body);
}

/* ---------- writes ---------- */

/** Applies a fieldValueSet PATCH; returns an error message for a bad value. */
function applyFields(state: TenantState, item: ListItem, patch: Record<string, unknown>): string | undefined {
  const next: Record<string, unknown> = { ...item.fields };
  for (const [key, value] of Object.entries(patch)) {
    if (key.includes('@odata.')) {
      continue;
    }
    const lookup = /^(.*)LookupId$/.exec(key);
    if (lookup && PERSON_COLUMNS.includes(lookup[1]!)) {
      const raw = value === null ? [] : Array.isArray(value) ? value : [value];
      const ids: string[] = [];
      for (const v of raw) {
        const u = state.userBySiteId(Number(v));
        if (!u) {
          return `The user or group with id ${String(v)} does not exist in the site's user information list.`;
        }
        ids.push(u.id);
      }
      next[lookup[1]!] = ids;
      continue;
    }
    if (PERSON_COLUMNS.includes(key)) {
      return `Field '${key}' is read-only through this property. Set '${key}LookupId' instead.`;
    }
    if (!KNOWN_COLUMNS.includes(key)) {
      return `Field '${key}' is not recognized`;
    }
    if (key === 'Avdelning' && value !== null && !AVDELNING_CHOICES.includes(String(value))) {
      // SharePoint accepts fill-in values only when the column allows them; Avdelning does not.
      return `Value '${String(value)}' is not a valid choice for field 'Avdelning'.`;
    }
    if (key === 'Aktiv' && value !== null && typeof value !== 'boolean') {
      return "Cannot convert the literal to the expected type 'Edm.Boolean'.";
    }
    if (DATE_COLUMNS.includes(key) && value !== null) {
      const s = String(value);
      const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? DateTime.fromISO(s, { zone: SITE_TZ }) : DateTime.fromISO(s, { setZone: true }).setZone(SITE_TZ);
      if (!d.isValid) {
        return `Cannot convert '${s}' to a date for field '${key}'.`;
      }
      next[key] = d.toISODate();
      continue;
    }
    next[key] = value === null ? undefined : value;
  }
  item.fields = next;
  return undefined;
}

function touch(state: TenantState, item: ListItem): void {
  item.version += 1;
  item.modified = new Date().toISOString().slice(0, 19) + 'Z';
  item.seq = state.nextSeq();
}

function ifMatchFails(req: GraphRequest, item: ListItem): boolean {
  const im = req.headers['if-match'];
  return im !== undefined && im !== '*' && im !== etag(item);
}

/* ---------- routes ---------- */

const SITE = '/sites/([^/]+)';
const LIST = `${SITE}/lists/([^/]+)`;

function withList(
  fn: (req: GraphRequest, ctx: Ctx, list: SpList, rest: string[]) => GraphResponse | Promise<GraphResponse>
): (req: GraphRequest, ctx: Ctx, p: string[]) => GraphResponse | Promise<GraphResponse> {
  return (req, ctx, p) => {
    if (!resolveSite(ctx.state, p[0]!)) {
      return notFound(req, 'Requested site could not be found');
    }
    const list = resolveList(ctx.state, p[1]!);
    if (!list) {
      return notFound(req, 'List not found');
    }
    return fn(req, ctx, list, p.slice(2));
  };
}

export const siteRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^${SITE}$`),
    handler: (req, ctx, p) => (resolveSite(ctx.state, p[0]!) ? json(200, applySelect(siteJson(ctx.state), selectOf(req))) : notFound(req, 'Requested site could not be found'))
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${SITE}/lists$`),
    handler: (req, ctx, p) =>
      resolveSite(ctx.state, p[0]!)
        ? json(200, { '@odata.context': `${req.base}/$metadata#sites('${ctx.state.site.id}')/lists`, value: [...ctx.state.lists.values()].map((l) => listJson(ctx.state, l)) })
        : notFound(req, 'Requested site could not be found')
  },
  { method: 'GET', pattern: new RegExp(`^${LIST}$`), handler: withList((req, ctx, list) => json(200, listJson(ctx.state, list))) },
  { method: 'GET', pattern: new RegExp(`^${LIST}/items/delta$`), handler: withList((req, ctx, list) => listDelta(req, ctx, list)) },
  { method: 'GET', pattern: new RegExp(`^${LIST}/items$`), handler: withList((req, ctx, list) => listItems(req, ctx, list)) },
  {
    method: 'GET',
    pattern: new RegExp(`^${LIST}/items/([^/]+)$`),
    handler: withList((req, ctx, list, [id]) => {
      const item = list.items.get(id!);
      return item ? json(200, applySelect(itemJson(ctx.state, list, item, expandFieldsOf(req)), selectOf(req))) : notFound(req, 'Item not found');
    })
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${LIST}/items/([^/]+)/fields$`),
    handler: withList((req, ctx, list, [id]) => {
      const item = list.items.get(id!);
      return item ? json(200, fieldsJson(ctx.state, item, selectOf(req))) : notFound(req, 'Item not found');
    })
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^${LIST}/items/([^/]+)/fields$`),
    handler: withList((req, ctx, list, [id]) => {
      const item = list.items.get(id!);
      if (!item) {
        return notFound(req, 'Item not found');
      }
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
        return graphError(req, 400, 'invalidRequest', 'Invalid request body.');
      }
      if (ifMatchFails(req, item)) {
        return graphError(req, 412, 'resourceModified', 'The resource has changed since the caller last read it; usually an eTag mismatch');
      }
      const err = applyFields(ctx.state, item, req.body as Record<string, unknown>);
      if (err) {
        return graphError(req, 400, 'invalidRequest', err);
      }
      touch(ctx.state, item);
      ctx.listChanged(list.id);
      return json(200, fieldsJson(ctx.state, item));
    })
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${LIST}/items$`),
    handler: withList((req, ctx, list) => {
      const body = req.body as { fields?: Record<string, unknown> } | undefined;
      if (!body || typeof body.fields !== 'object' || body.fields === null) {
        return graphError(req, 400, 'invalidRequest', 'Invalid request body: fields are required.');
      }
      const now = new Date().toISOString().slice(0, 19) + 'Z';
      const id = String(list.nextId++);
      const item: ListItem = { id, guid: guidFrom(`item:${list.id}:${id}:${ctx.state.epoch}`), version: 0, created: now, modified: now, seq: 0, fields: { Aktiv: true } };
      const err = applyFields(ctx.state, item, body.fields);
      if (err) {
        list.nextId--;
        return graphError(req, 400, 'invalidRequest', err);
      }
      touch(ctx.state, item);
      list.items.set(id, item);
      ctx.listChanged(list.id);
      return json(201, itemJson(ctx.state, list, item, []));
    })
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${LIST}/items/([^/]+)$`),
    handler: withList((req, ctx, list, [id]) => {
      const item = list.items.get(id!);
      if (!item) {
        return notFound(req, 'Item not found');
      }
      list.items.delete(id!);
      list.tombstones.set(id!, ctx.state.nextSeq());
      ctx.listChanged(list.id);
      return noContent();
    })
  }
];
