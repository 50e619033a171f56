/**
 * Change notifications, following Microsoft Graph v1.0: "Create subscription" (with the
 * notification endpoint validation of "Set up notifications for changes in resource data"),
 * "Update subscription", "Delete subscription", "Get subscription", "subscription resource type"
 * (SharePoint list: changeType `updated` only, at most 42,300 minutes).
 */
import { randomUUID } from 'node:crypto';
import type { Ctx, Route } from '../context';
import { graphError, json, noContent, type GraphRequest, type GraphResponse } from '../http';
import type { Subscription, TenantState } from '../state';
import { resolveList, resolveSite } from './sites';

export const LIST_MAX_MINUTES = 42300;
const VALIDATION_TIMEOUT_MS = 10_000;
const APP_ID = '6d1c5c1e-0000-4000-a000-000000000b07';

function subJson(req: GraphRequest, s: Subscription): Record<string, unknown> {
  return {
    '@odata.context': `${req.base}/$metadata#subscriptions/$entity`,
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeType,
    clientState: s.clientState ?? null,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: null,
    expirationDateTime: s.expirationDateTime,
    creatorId: s.creatorId,
    includeResourceData: null,
    latestSupportedTlsVersion: s.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null
  };
}

function invalid(req: GraphRequest, message: string): GraphResponse {
  return graphError(req, 400, 'InvalidRequest', message);
}

/** sites/{site-id}/lists/{list-id} (a leading slash is tolerated). */
function listOfResource(state: TenantState, resource: string): string | undefined {
  const m = /^\/?sites\/([^/]+)\/lists\/([^/]+)$/i.exec(resource.trim());
  if (!m || !resolveSite(state, decodeURIComponent(m[1]!))) {
    return undefined;
  }
  const key = decodeURIComponent(m[2]!).replace(/^\{|\}$/g, '');
  return resolveList(state, key)?.id;
}

function checkExpiration(req: GraphRequest, raw: unknown): GraphResponse | string {
  const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (Number.isNaN(t)) {
    return invalid(req, 'expirationDateTime is required and must be a valid DateTimeOffset.');
  }
  const now = Date.now();
  if (t <= now) {
    return invalid(req, 'Subscription expiration time must be in the future.');
  }
  if (t > now + LIST_MAX_MINUTES * 60_000) {
    return invalid(req, `Subscription expiration can only be ${LIST_MAX_MINUTES} minutes in the future.`);
  }
  return new Date(t).toISOString().replace('Z', '0000Z');
}

function allowedUrl(u: string): boolean {
  try {
    const url = new URL(u);
    // Graph requires HTTPS. Locally we also accept plain HTTP on loopback (a documented divergence).
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

/** The validation handshake: POST {notificationUrl}?validationToken=…; 200 text/plain echo in 10 s. */
async function validateEndpoint(notificationUrl: string): Promise<string | undefined> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const url = new URL(notificationUrl);
  url.searchParams.set('validationToken', token);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS)
    });
    const text = await res.text();
    if (res.status !== 200) {
      return `answered ${res.status}`;
    }
    if (!(res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) {
      return `answered with content type ${res.headers.get('content-type') ?? '(none)'}`;
    }
    if (text !== token) {
      return 'answered with a body that is not the validation token';
    }
    return undefined;
  } catch (e) {
    return (e as Error).name === 'TimeoutError' ? 'did not answer within 10 seconds' : `could not be reached (${(e as Error).message})`;
  }
}

async function create(req: GraphRequest, ctx: Ctx): Promise<GraphResponse> {
  const b = req.body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object') {
    return invalid(req, 'Invalid request body.');
  }
  for (const k of ['changeType', 'notificationUrl', 'resource', 'expirationDateTime']) {
    if (typeof b[k] !== 'string' || !(b[k] as string).length) {
      return invalid(req, `${k} is required.`);
    }
  }
  const listId = listOfResource(ctx.state, b.resource as string);
  if (!listId) {
    return invalid(req, `Resource '${String(b.resource)}' is not supported or does not exist.`);
  }
  const types = (b.changeType as string).split(',').map((s) => s.trim());
  if (types.some((t) => t !== 'updated')) {
    return invalid(req, `ChangeType '${String(b.changeType)}' is not supported for this resource; SharePoint lists support only 'updated'.`);
  }
  if (b.clientState !== undefined && (typeof b.clientState !== 'string' || b.clientState.length > 128)) {
    return invalid(req, 'clientState must be a string of at most 128 characters.');
  }
  if (!allowedUrl(b.notificationUrl as string)) {
    return invalid(req, 'Subscription notificationUrl must use HTTPS.');
  }
  const exp = checkExpiration(req, b.expirationDateTime);
  if (typeof exp !== 'string') {
    return exp;
  }
  const failure = await validateEndpoint(b.notificationUrl as string);
  if (failure) {
    return graphError(req, 400, 'ValidationError', `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. (The endpoint ${failure}.)`);
  }
  const s: Subscription = {
    id: randomUUID(),
    resource: b.resource as string,
    changeType: 'updated',
    clientState: b.clientState as string | undefined,
    notificationUrl: b.notificationUrl as string,
    expirationDateTime: exp,
    applicationId: APP_ID,
    creatorId: APP_ID,
    latestSupportedTlsVersion: typeof b.latestSupportedTlsVersion === 'string' ? b.latestSupportedTlsVersion : 'v1_2',
    notificationContentType: 'application/json',
    listId
  };
  ctx.state.subscriptions.set(s.id, s);
  return json(201, subJson(req, s));
}

/** An expired subscription is gone, as far as callers can tell. */
export function liveSubscription(state: TenantState, id: string): Subscription | undefined {
  const s = state.subscriptions.get(id);
  if (s && Date.parse(s.expirationDateTime) <= Date.now()) {
    state.subscriptions.delete(id);
    return undefined;
  }
  return s;
}

function notFound(req: GraphRequest, id: string): GraphResponse {
  return graphError(req, 404, 'ResourceNotFound', `The object '${id}' doesn't exist.`);
}

export const subscriptionRoutes: Route[] = [
  { method: 'POST', pattern: /^\/subscriptions$/, handler: (req, ctx) => create(req, ctx) },
  {
    method: 'GET',
    pattern: /^\/subscriptions$/,
    handler: (req, ctx) => {
      const live = [...ctx.state.subscriptions.keys()].map((id) => liveSubscription(ctx.state, id)).filter((s): s is Subscription => !!s);
      return json(200, { '@odata.context': `${req.base}/$metadata#subscriptions`, value: live.map((s) => subJson(req, s)) });
    }
  },
  {
    method: 'GET',
    pattern: /^\/subscriptions\/([^/]+)$/,
    handler: (req, ctx, p) => {
      const s = liveSubscription(ctx.state, p[0]!);
      return s ? json(200, subJson(req, s)) : notFound(req, p[0]!);
    }
  },
  {
    method: 'PATCH',
    pattern: /^\/subscriptions\/([^/]+)$/,
    handler: (req, ctx, p) => {
      const s = liveSubscription(ctx.state, p[0]!);
      if (!s) {
        return notFound(req, p[0]!);
      }
      const exp = checkExpiration(req, (req.body as Record<string, unknown> | undefined)?.expirationDateTime);
      if (typeof exp !== 'string') {
        return exp;
      }
      s.expirationDateTime = exp;
      return json(200, subJson(req, s));
    }
  },
  {
    method: 'DELETE',
    pattern: /^\/subscriptions\/([^/]+)$/,
    handler: (req, ctx, p) => {
      if (!liveSubscription(ctx.state, p[0]!)) {
        return notFound(req, p[0]!);
      }
      ctx.state.subscriptions.delete(p[0]!);
      return noContent();
    }
  }
];
