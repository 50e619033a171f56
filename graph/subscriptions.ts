/**
 * Change notifications on the units list. Lists support only `changeType: 'updated'`, at most
 * 42,300 minutes (about 29 days) per subscription, and send no lifecycle events (`missed`,
 * `subscriptionRemoved`): renewal and a delta catch-up must also run on a timer (jobs/).
 */
import type { Logger } from 'pino';
import type { GraphHttp } from './client';
import { GraphError } from './errors';
import type { SiteLocations } from './sharepoint';

/** Graph's maximum for SharePoint lists, minus a margin for clock skew. */
export const LIST_SUBSCRIPTION_MINUTES = 42_300 - 60;
/** ensure() renews an existing subscription that expires sooner than this. */
const RENEW_WHEN_LESS_THAN_MS = 3 * 24 * 3600_000;

interface SubscriptionResource {
  id: string;
  resource: string;
  notificationUrl: string;
  expirationDateTime: string;
  changeType?: string;
  clientState?: string | null;
}

export class Subscriptions {
  constructor(
    private readonly http: GraphHttp,
    private readonly where: SiteLocations,
    private readonly log: Logger,
    private readonly now: () => number = Date.now
  ) {}

  private async resource(): Promise<string> {
    return `sites/${await this.where.siteId()}/lists/${await this.where.unitsListId()}`;
  }

  private expiry(): string {
    return new Date(this.now() + LIST_SUBSCRIPTION_MINUTES * 60_000).toISOString();
  }

  /**
   * Makes sure one subscription on the units list points at `notificationUrl`: reuses (and renews
   * when close to expiry) an existing one, else creates one. Creating makes Graph call the URL with a
   * validation token first, so the route must already be listening. If the clientState changed,
   * call remove() first: Graph does not show clientState back reliably.
   * @throws GraphError — e.g. 400 when the validation handshake failed.
   */
  async ensure(notificationUrl: string, clientState: string): Promise<{ id: string; expirationDateTime: string }> {
    const resource = await this.resource();
    const existing = (await this.http.all<SubscriptionResource>('/subscriptions', 'GET /subscriptions')).filter(
      (s) => s.notificationUrl === notificationUrl && sameResource(s.resource, resource)
    );
    const keep = existing.find((s) => s.clientState == null || s.clientState === clientState);
    if (keep) {
      if (Date.parse(keep.expirationDateTime) - this.now() < RENEW_WHEN_LESS_THAN_MS) {
        const renewed = await this.patch(keep.id);
        return { id: keep.id, expirationDateTime: renewed };
      }
      return { id: keep.id, expirationDateTime: keep.expirationDateTime };
    }
    for (const stale of existing) {
      await this.remove(stale.id);
    }
    const created = await this.http.request<SubscriptionResource>({
      method: 'POST',
      path: '/subscriptions',
      template: 'POST /subscriptions',
      body: { changeType: 'updated', notificationUrl, resource, expirationDateTime: this.expiry(), clientState },
      policy: 'send'
    });
    this.log.info({ op: 'subscriptions.ensure', id: created.body.id, expires: created.body.expirationDateTime }, 'subscription created');
    return { id: created.body.id, expirationDateTime: created.body.expirationDateTime };
  }

  /**
   * Extends the subscription to the maximum lifetime.
   * @throws GraphError — 404 when it no longer exists (call ensure() to create a new one).
   */
  async renew(id: string): Promise<void> {
    await this.patch(id);
  }

  /** Deletes the subscription; already gone (404) counts as done. @throws GraphError */
  async remove(id: string): Promise<void> {
    try {
      await this.http.request({ method: 'DELETE', path: `/subscriptions/${encodeURIComponent(id)}`, template: 'DELETE /subscriptions/{id}' });
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) {
        return;
      }
      throw err;
    }
  }

  private async patch(id: string): Promise<string> {
    const expirationDateTime = this.expiry();
    const res = await this.http.request<SubscriptionResource>({
      method: 'PATCH',
      path: `/subscriptions/${encodeURIComponent(id)}`,
      template: 'PATCH /subscriptions/{id}',
      body: { expirationDateTime }
    });
    this.log.info({ op: 'subscriptions.renew', id }, 'subscription renewed');
    return res.body?.expirationDateTime ?? expirationDateTime;
  }
}

/** Graph may echo the resource with or without a leading slash or version. */
function sameResource(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/^https?:\/\/[^/]+\/[^/]+\//, '').replace(/^\/+/, '').toLowerCase();
  return norm(a) === norm(b);
}
