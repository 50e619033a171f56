/**
 * Reading a mailbox: well-known mail folders and their messages. Only Sent Items ever holds
 * anything (the copies sendMail saves); the other well-known folders exist and are empty.
 *
 * Followed (Microsoft Graph v1.0):
 *  - "mailFolder resource type": well-known folder names (`sentitems`, `inbox`, `drafts`,
 *    `deleteditems`) work in place of the folder id; we match them case-insensitively
 *    (`SentItems` too, as older pages write it).
 *  - "List messages" (`GET /users/{id | userPrincipalName}/mailFolders/{id}/messages` and
 *    `/users/{id}/messages`): default page size 10, `$top` up to 1000, `@odata.nextLink` with
 *    `$skip`, newest first; `$select`; `internetMessageHeaders` only when selected.
 *  - "Get message" (`GET /users/{id}/messages/{id}`, also under `mailFolders/{id}`).
 *  - "Get singleValueLegacyExtendedProperty": `$filter=singleValueExtendedProperties/Any(ep: ep/id
 *    eq '…' and ep/value eq '…')`; the property is not in the list response; `$expand=
 *    singleValueExtendedProperties($filter=id eq '…')` adds it.
 * A `$filter` we do not understand answers Graph's 400 `BadRequest` "Invalid filter clause".
 */
import type { Ctx, Route } from '../context';
import { graphError, json, type GraphRequest, type GraphResponse } from '../http';
import { folderIdFor, matchesProperty, parseExpandFilter, parsePropertyFilter, type PropertyFilter } from '../mailbox';
import { linkWith, q, selectOf, topOf } from '../odata';
import type { MailboxMessage, User } from '../state';

const WELL_KNOWN: Record<string, string> = {
  inbox: 'Inbox',
  drafts: 'Drafts',
  sentitems: 'Sent Items',
  deleteditems: 'Deleted Items'
};

const MESSAGE_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'internetMessageId',
  'subject',
  'bodyPreview',
  'importance',
  'parentFolderId',
  'conversationId',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
  'isRead',
  'isDraft',
  'webLink',
  'inferenceClassification',
  'body',
  'sender',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'flag',
  'internetMessageHeaders'
];

function notFound(req: GraphRequest): GraphResponse {
  return graphError(req, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

function badUser(req: GraphRequest, who: string): GraphResponse {
  return graphError(req, 404, 'ErrorInvalidUser', `The requested user '${who}' is invalid.`);
}

/** The well-known name of a folder given by name (any case) or by id; undefined if unknown. */
function folderOf(user: User, ref: string): string | undefined {
  const lower = ref.toLowerCase();
  if (WELL_KNOWN[lower]) {
    return lower;
  }
  return Object.keys(WELL_KNOWN).find((w) => folderIdFor(user.id, w) === ref);
}

function folderJson(user: User, wk: string, ctx: Ctx): Record<string, unknown> {
  const count = visible(ctx, user).filter((m) => m.folder === wk).length;
  return {
    id: folderIdFor(user.id, wk),
    displayName: WELL_KNOWN[wk],
    parentFolderId: folderIdFor(user.id, 'msgfolderroot'),
    childFolderCount: 0,
    unreadItemCount: 0,
    totalItemCount: count,
    sizeInBytes: 0,
    isHidden: false
  };
}

/** Messages of the user's mailbox that reads can see now (saved copies appear after the delay). */
function visible(ctx: Ctx, user: User): MailboxMessage[] {
  const now = Date.now();
  return (ctx.state.mailboxes.get(user.id) ?? []).filter((m) => m.visibleAt <= now);
}

function address(a: string): { emailAddress: { name: string; address: string } } {
  return { emailAddress: { name: a, address: a } };
}

function messageJson(user: User, m: MailboxMessage, select: string[] | undefined, expand: PropertyFilter | undefined): Record<string, unknown> {
  const text = m.body.contentType === 'html' ? m.body.content.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() : m.body.content;
  const full: Record<string, unknown> = {
    '@odata.etag': `W/"CQAAABYAAAA${m.id.slice(8, 28)}"`,
    id: m.id,
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.createdDateTime,
    changeKey: `CQAAABYAAAA${m.id.slice(8, 28)}`,
    categories: [],
    receivedDateTime: m.sentDateTime,
    sentDateTime: m.sentDateTime,
    hasAttachments: false,
    internetMessageId: m.internetMessageId,
    subject: m.subject,
    bodyPreview: text.slice(0, 255),
    importance: 'normal',
    parentFolderId: folderIdFor(user.id, m.folder),
    conversationId: m.conversationId,
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: true,
    isDraft: false,
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(m.id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: 'focused',
    body: m.body,
    sender: address(m.from),
    from: address(m.from),
    toRecipients: m.to.map(address),
    ccRecipients: m.cc.map(address),
    bccRecipients: m.bcc.map(address),
    replyTo: [],
    flag: { flagStatus: 'notFlagged' }
  };
  let out: Record<string, unknown>;
  if (select) {
    // Outlook always returns id (and the etag) whatever is selected.
    out = { '@odata.etag': full['@odata.etag'], id: m.id };
    for (const s of select) {
      const key = MESSAGE_PROPERTIES.find((p) => p.toLowerCase() === s.toLowerCase());
      if (key === 'internetMessageHeaders') {
        out[key] = m.internetMessageHeaders;
      } else if (key) {
        out[key] = full[key];
      }
    }
  } else {
    out = full;
  }
  if (expand) {
    out.singleValueExtendedProperties = m.singleValueExtendedProperties.filter((p) => matchesProperty([p], expand)).map((p) => ({ id: p.id, value: p.value }));
  }
  return out;
}

/** Checks `$select` and `$expand`; returns an error response or the parsed values. */
function shaping(req: GraphRequest): GraphResponse | { select?: string[]; expand?: PropertyFilter } {
  const select = selectOf(req);
  for (const s of select ?? []) {
    if (!MESSAGE_PROPERTIES.some((p) => p.toLowerCase() === s.toLowerCase())) {
      return graphError(req, 400, 'RequestBroker--ParseUri', `Could not find a property named '${s}' on type 'microsoft.graph.message'.`);
    }
  }
  const rawExpand = q(req, 'expand');
  let expand: PropertyFilter | undefined;
  if (rawExpand !== undefined) {
    expand = parseExpandFilter(rawExpand);
    if (!expand) {
      return graphError(req, 400, 'BadRequest', 'Invalid expand clause');
    }
  }
  return { select, expand };
}

function listMessages(req: GraphRequest, ctx: Ctx, who: string, folderRef: string | undefined): GraphResponse {
  const user = ctx.state.userByIdOrUpn(who);
  if (!user) {
    return badUser(req, who);
  }
  let folder: string | undefined;
  if (folderRef !== undefined) {
    folder = folderOf(user, folderRef);
    if (!folder) {
      return notFound(req);
    }
  }
  const shape = shaping(req);
  if ('status' in shape) {
    return shape;
  }
  const rawFilter = q(req, 'filter');
  let filter: PropertyFilter | undefined;
  if (rawFilter !== undefined) {
    filter = parsePropertyFilter(rawFilter);
    if (!filter) {
      return graphError(req, 400, 'BadRequest', 'Invalid filter clause');
    }
  }
  const top = topOf(req, 10, 1000);
  if (top === 'invalid') {
    return graphError(req, 400, 'BadRequest', `The value '${String(q(req, 'top'))}' of the query parameter '$top' is invalid.`);
  }
  const rawSkip = q(req, 'skip') ?? '0';
  const skip = Number(rawSkip);
  if (!Number.isInteger(skip) || skip < 0) {
    return graphError(req, 400, 'BadRequest', `The value '${rawSkip}' of the query parameter '$skip' is invalid.`);
  }
  const all = visible(ctx, user)
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => (folder === undefined || m.folder === folder) && (!filter || matchesProperty(m.singleValueExtendedProperties, filter)))
    // Newest first; the insertion order breaks ties within one second.
    .sort((a, b) => b.m.sentDateTime.localeCompare(a.m.sentDateTime) || b.i - a.i)
    .map(({ m }) => m);
  const page = all.slice(skip, skip + top);
  const ctxPath = folderRef !== undefined ? `users('${who}')/mailFolders('${folderRef}')/messages` : `users('${who}')/messages`;
  const body: Record<string, unknown> = {
    '@odata.context': `${req.base}/$metadata#${ctxPath}${shape.select ? `(${shape.select.join(',')})` : ''}`,
    value: page.map((m) => messageJson(user, m, shape.select, shape.expand))
  };
  if (skip + top < all.length) {
    body['@odata.nextLink'] = linkWith(req, { $skip: String(skip + top) });
  }
  return json(200, body);
}

function getMessage(req: GraphRequest, ctx: Ctx, who: string, folderRef: string | undefined, id: string): GraphResponse {
  const user = ctx.state.userByIdOrUpn(who);
  if (!user) {
    return badUser(req, who);
  }
  let folder: string | undefined;
  if (folderRef !== undefined) {
    folder = folderOf(user, folderRef);
    if (!folder) {
      return notFound(req);
    }
  }
  const shape = shaping(req);
  if ('status' in shape) {
    return shape;
  }
  const m = visible(ctx, user).find((x) => x.id === id && (folder === undefined || x.folder === folder));
  if (!m) {
    return notFound(req);
  }
  return json(200, { '@odata.context': `${req.base}/$metadata#users('${who}')/messages/$entity`, ...messageJson(user, m, shape.select, shape.expand) });
}

export const mailFolderRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/users\/([^/]+)\/mailFolders$/i,
    handler: (req, ctx, p) => {
      const user = ctx.state.userByIdOrUpn(p[0]!);
      return user
        ? json(200, { '@odata.context': `${req.base}/$metadata#users('${p[0]}')/mailFolders`, value: Object.keys(WELL_KNOWN).map((w) => folderJson(user, w, ctx)) })
        : badUser(req, p[0]!);
    }
  },
  {
    method: 'GET',
    pattern: /^\/users\/([^/]+)\/mailFolders\/([^/]+)$/i,
    handler: (req, ctx, p) => {
      const user = ctx.state.userByIdOrUpn(p[0]!);
      if (!user) {
        return badUser(req, p[0]!);
      }
      const wk = folderOf(user, p[1]!);
      return wk ? json(200, { '@odata.context': `${req.base}/$metadata#users('${p[0]}')/mailFolders/$entity`, ...folderJson(user, wk, ctx) }) : notFound(req);
    }
  },
  { method: 'GET', pattern: /^\/users\/([^/]+)\/mailFolders\/([^/]+)\/messages$/i, handler: (req, ctx, p) => listMessages(req, ctx, p[0]!, p[1]!) },
  { method: 'GET', pattern: /^\/users\/([^/]+)\/mailFolders\/([^/]+)\/messages\/([^/]+)$/i, handler: (req, ctx, p) => getMessage(req, ctx, p[0]!, p[1]!, p[2]!) },
  { method: 'GET', pattern: /^\/users\/([^/]+)\/messages$/i, handler: (req, ctx, p) => listMessages(req, ctx, p[0]!, undefined) },
  { method: 'GET', pattern: /^\/users\/([^/]+)\/messages\/([^/]+)$/i, handler: (req, ctx, p) => getMessage(req, ctx, p[0]!, undefined, p[1]!) }
];
