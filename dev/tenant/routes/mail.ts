/**
 * `POST /users/{id | userPrincipalName}/sendMail`, following Microsoft Graph v1.0 "user: sendMail":
 * 202 Accepted with no body; the message lands in the local mailbox (GET /_dev/mail) and, unless
 * `saveToSentItems` is false ("default is true"), a copy in the sender's Sent Items, with the
 * message's `singleValueExtendedProperties` ("Outlook extended properties overview"). The copy shows
 * in reads after `sentItemsDelayMs` (Exchange saves it asynchronously; 0 = at once).
 */
import type { Route } from '../context';
import type { Ctx } from '../context';
import { graphError, guidFrom, type GraphRequest, type GraphResponse } from '../http';
import { newMessageId, outlookDate, readExtendedProperties } from '../mailbox';

interface Recipient {
  emailAddress?: { address?: string; name?: string };
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function addresses(list: unknown): string[] | undefined {
  if (list === undefined || list === null) {
    return [];
  }
  if (!Array.isArray(list)) {
    return undefined;
  }
  const out: string[] = [];
  for (const r of list as Recipient[]) {
    const a = r?.emailAddress?.address;
    if (typeof a !== 'string' || !ADDRESS.test(a)) {
      return undefined;
    }
    out.push(a.toLowerCase());
  }
  return out;
}

function sendMail(req: GraphRequest, ctx: Ctx, who: string): GraphResponse {
  const user = ctx.state.userByIdOrUpn(who);
  if (!user) {
    return graphError(req, 404, 'ErrorInvalidUser', `The requested user '${who}' is invalid.`);
  }
  const body = req.body as { message?: Record<string, unknown>; saveToSentItems?: unknown } | undefined;
  const msg = body?.message;
  if (!msg || typeof msg !== 'object') {
    return graphError(req, 400, 'ErrorInvalidRequest', "The request body must contain a 'message'.");
  }
  const to = addresses(msg.toRecipients);
  const cc = addresses(msg.ccRecipients);
  const bcc = addresses(msg.bccRecipients);
  if (!to || !cc || !bcc) {
    return graphError(req, 400, 'ErrorInvalidRecipients', 'At least one recipient is not valid., Recipient is not valid.');
  }
  if (to.length + cc.length + bcc.length === 0) {
    return graphError(req, 400, 'ErrorInvalidRecipients', 'At least one recipient is not valid., A message can\'t be sent because it contains no recipients.');
  }
  const headers = msg.internetMessageHeaders;
  const imh: Array<{ name: string; value: string }> = [];
  if (headers !== undefined) {
    if (!Array.isArray(headers)) {
      return graphError(req, 400, 'ErrorInvalidRequest', 'internetMessageHeaders must be a collection.');
    }
    for (const h of headers as Array<{ name?: unknown; value?: unknown }>) {
      const name = String(h?.name ?? '');
      // "user: sendMail" / internetMessageHeader: custom headers must start with x- or X-.
      if (!/^x-/i.test(name)) {
        return graphError(req, 400, 'InvalidInternetMessageHeader', `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
      }
      imh.push({ name, value: String(h?.value ?? '') });
    }
  }
  const b = (msg.body ?? {}) as { contentType?: unknown; content?: unknown };
  const contentType = String(b.contentType ?? 'text');
  if (!/^(text|html)$/i.test(contentType)) {
    return graphError(req, 400, 'RequestBodyRead', `Cannot convert the literal '${contentType}' to the expected type 'microsoft.graph.bodyType'.`);
  }
  const props = readExtendedProperties(msg.singleValueExtendedProperties);
  if (typeof props === 'string') {
    return graphError(req, 400, 'ErrorInvalidProperty', props);
  }
  // "saveToSentItems … default is true": only an explicit false (or "false", as in Microsoft's own
  // example) turns the copy off.
  const save = body?.saveToSentItems !== false && body?.saveToSentItems !== 'false';
  const now = Date.now();
  const subject = String(msg.subject ?? '');
  const content = { contentType: contentType.toLowerCase(), content: String(b.content ?? '') };
  let sentItemId: string | undefined;
  if (save) {
    sentItemId = newMessageId();
    ctx.state.mailboxOf(user.id).push({
      id: sentItemId,
      folder: 'sentitems',
      createdDateTime: outlookDate(now),
      sentDateTime: outlookDate(now),
      subject,
      body: content,
      from: user.mail,
      to,
      cc,
      bcc,
      internetMessageId: `<${guidFrom(sentItemId).replace(/-/g, '').toUpperCase()}@${user.mail.split('@')[1]}>`,
      conversationId: `AAQkAGI2${guidFrom(`conv:${sentItemId}`).replace(/-/g, '')}`,
      internetMessageHeaders: imh,
      singleValueExtendedProperties: props,
      visibleAt: now + Math.max(0, ctx.state.sentItemsDelayMs)
    });
  }
  ctx.state.mail.push({
    id: `mail-${ctx.state.mail.length + 1}`,
    receivedAt: new Date(now).toISOString(),
    from: user.mail,
    to,
    cc,
    bcc,
    subject,
    body: content,
    internetMessageHeaders: imh,
    singleValueExtendedProperties: props,
    saveToSentItems: save,
    ...(sentItemId ? { sentItemId } : {}),
    clientRequestId: req.clientRequestId,
    requestId: req.requestId
  });
  return { status: 202 };
}

export const mailRoutes: Route[] = [{ method: 'POST', pattern: /^\/users\/([^/]+)\/sendMail$/, handler: (req, ctx, p) => sendMail(req, ctx, p[0]!) }];
