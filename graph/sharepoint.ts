/**
 * Where things are on the SharePoint site: the site id, the units list id and the staff drive id,
 * resolved once from configuration (ids or names) and remembered. A failed resolution is not
 * remembered, so the next call tries again.
 */
import type { GraphHttp } from './client';
import { GraphError } from './errors';
import { encodePath } from './client';

export interface SiteLocations {
  siteId(): Promise<string>;
  unitsListId(): Promise<string>;
  staffDriveId(): Promise<string>;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn().catch((err) => {
      p = undefined;
      throw err;
    });
    return p;
  };
}

/**
 * @param site 'contoso.sharepoint.com,{guid},{guid}' (an id) or 'contoso.sharepoint.com:/sites/tj'.
 * @param list List id (a GUID) or display name.
 * @param drive Drive id ('b!…') or library name.
 */
export function siteLocations(http: GraphHttp, site: string, list: string, drive: string): SiteLocations {
  const siteId = once(async () => {
    if (!site.includes(':/')) {
      return site;
    }
    // 'host:/sites/path' → GET /sites/host:/sites/path (Graph's path addressing of sites).
    const [host, rel] = site.split(':/', 2);
    const s = await http.get<{ id: string }>(`/sites/${host}:/${encodePath(rel)}?$select=id`, 'GET /sites/{host}:/{path}');
    return s.id;
  });

  const unitsListId = once(async () => {
    const sid = await siteId();
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(list)) {
      return list;
    }
    const lists = await http.all<{ id: string; displayName?: string; name?: string }>(
      `/sites/${sid}/lists?$select=id,displayName,name`,
      'GET /sites/{site}/lists'
    );
    const found = lists.find((l) => l.displayName === list || l.name === list) ?? lists.find((l) => l.displayName?.toLowerCase() === list.toLowerCase());
    if (!found) {
      throw new GraphError(`The units list "${list}" was not found on the site`, { code: 'configuration', retryable: false, status: 404 });
    }
    return found.id;
  });

  const staffDriveId = once(async () => {
    const sid = await siteId();
    const drives = await http.all<{ id: string; name?: string }>(`/sites/${sid}/drives?$select=id,name`, 'GET /sites/{site}/drives');
    const found = drives.find((d) => d.id === drive) ?? drives.find((d) => d.name === drive) ?? drives.find((d) => d.name?.toLowerCase() === drive.toLowerCase());
    if (found) {
      return found.id;
    }
    if (drive.startsWith('b!')) {
      return drive; // an id the listing did not show (paging, permissions): trust the configuration
    }
    throw new GraphError(`The staff library "${drive}" was not found on the site`, { code: 'configuration', retryable: false, status: 404 });
  });

  return { siteId, unitsListId, staffDriveId };
}
