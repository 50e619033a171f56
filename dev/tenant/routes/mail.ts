/**
 * `POST /users/{id | userPrincipalName}/sendMail`, following Microsoft Graph v1.0 "user: sendMail":
 * 202 Accepted with no body; the message lands in the local mailbox (GET /_dev/mail).
 */
import type { Route } from '../context';
import { graphError, type GraphRequest, type GraphResponse } from '../http';
import type { Ctx } from '../context';

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
  ctx.state.mail.push({
    id: `mail-${ctx.state.mail.length + 1}`,
    receivedAt: new Date().toISOString(),
    from: user.mail,
    to,
    cc,
    bcc,
    subject: String(msg.subject ?? ''),
    body: { contentType: contentType.toLowerCase(), content: String(b.content ?? '') },
    internetMessageHeaders: imh,
    saveToSentItems: body?.saveToSentItems !== false,
    clientRequestId: req.clientRequestId,
    requestId: req.requestId
  });
  return { status: 202 };
}

export const mailRoutes: Route[] = [{ method: 'POST', pattern: /^\/users\/([^/]+)\/sendMail$/, handler: (req, ctx, p) => sendMail(req, ctx, p[0]!) }];
