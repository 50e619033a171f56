/** Environment that points the app at a running local tenant (what `npm start` does, for tests). */
import type { RunningTenant } from '../../dev/tenant/server';
import { ADMINS_GROUP_ID, JOURLEDARE_GROUP_ID, MAILBOX } from '../../dev/tenant/demoIds';

export function tenantEnv(tenant: RunningTenant, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PORT: '0',
    LOG_LEVEL: 'silent',
    GRAPH_BASE_URL: tenant.graphBase,
    GRAPH_STATIC_TOKEN: tenant.token,
    SHAREPOINT_SITE_ID: tenant.siteId,
    MAILBOX,
    JOURLEDARE_GROUP_ID,
    ADMIN_GROUP_ID: ADMINS_GROUP_ID,
    ...extra
  };
}
