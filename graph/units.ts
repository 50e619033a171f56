/**
 * The units list (`Enheter`) → typed {@link Unit}s. A unit with missing or wrong fields is kept and
 * flagged (Swedish texts in `problems`), so one bad row never hides the others.
 */
import type { ActingManager, Avdelning, PersonRef, Unit } from '../core/model';
import type { GraphHttp } from './client';
import type { SiteLocations } from './sharepoint';

const AVDELNINGAR: Avdelning[] = ['Hemtjänst', 'Vård- och omsorgsboende', 'Hälso- och sjukvård'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A list item as Graph returns it with `$expand=fields`. */
export interface ListItemResource {
  id: string;
  fields?: Record<string, unknown>;
  deleted?: { state?: string };
  '@removed'?: unknown;
}

/** Resolves a person column's LookupId (site user id) to an e-mail when Graph gave no e-mail. */
export type SiteUserResolver = (lookupId: string) => Promise<PersonRef | undefined>;

/**
 * Maps one list item to a Unit. Person columns arrive in several shapes depending on the
 * `$select`/`$expand` and the column (single or multi): arrays of
 * `{ LookupId, LookupValue, Email }`, arrays of lookup ids, or `<Name>LookupId` siblings. Ids without an
 * e-mail are resolved through the site's user information list.
 */
export async function unitFromItem(item: ListItemResource, resolve: SiteUserResolver, libraryName?: string): Promise<Unit> {
  const f = item.fields ?? {};
  const problems: string[] = [];

  const name = str(f.Title);
  if (!name) {
    problems.push('Namn (Title) saknas.');
  }

  let avdelning: Avdelning | undefined;
  const avd = str(f.Avdelning);
  if (!avd) {
    problems.push('Avdelning saknas.');
  } else {
    avdelning = AVDELNINGAR.find((a) => a.toLowerCase() === avd.toLowerCase().replace(/\s+/g, ' '));
    if (!avdelning) {
      problems.push(`Okänd avdelning: "${avd}".`);
    }
  }

  const managers = await people(f, 'Enhetschef', resolve, problems);
  if (managers.length === 0) {
    problems.push('Ingen enhetschef angiven.');
  }
  const actingPeople = await people(f, 'Tillforordnad', resolve, problems);
  const endDate = dateOnly(f.TillforordnadTom);
  if (f.TillforordnadTom != null && f.TillforordnadTom !== '' && !endDate) {
    problems.push('Tillförordnad t.o.m. är inget giltigt datum.');
  }
  const acting: ActingManager[] = actingPeople.map((p) => (endDate ? { ...p, endDate } : { ...p }));

  let dgAddress: string | undefined;
  const dg = str(f.DGAdress);
  if (!dg) {
    problems.push('DG-adress saknas: enheten kan inte få meddelanden.');
  } else if (!EMAIL.test(dg)) {
    problems.push(`DG-adressen "${dg}" är ingen giltig e-postadress.`);
  } else {
    dgAddress = dg.toLowerCase();
  }

  const folder = folderPath(f.Mapp, libraryName);
  if (!folder) {
    problems.push('Mapp saknas: personallista och rutiner kan inte hämtas.');
  }

  let active = true;
  const a = f.Aktiv;
  if (typeof a === 'boolean') {
    active = a;
  } else if (a === 1 || a === '1' || (typeof a === 'string' && /^(ja|yes|true)$/i.test(a.trim()))) {
    active = true;
  } else if (a === 0 || a === '0' || (typeof a === 'string' && /^(nej|no|false)$/i.test(a.trim()))) {
    active = false;
  } else {
    problems.push('Aktiv saknas; enheten räknas som aktiv.');
  }

  return { id: String(item.id), name: name ?? '', avdelning, managers, acting, dgAddress, folder, active, problems };
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number') {
    return String(v);
  }
  return undefined;
}

/** 'YYYY-MM-DD' from a date-only column. SharePoint returns date-only values as UTC instants of
 *  local midnight ('2025-03-31T22:00:00Z' is 1 April in Stockholm): convert back to the local date. */
export function dateOnly(v: unknown): string | undefined {
  const s = str(v);
  if (!s) {
    return undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    return s;
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    return undefined;
  }
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));
}

/** Folder path relative to the library root. Accepts a plain path or a URL/hyperlink into the library. */
function folderPath(v: unknown, libraryName?: string): string | undefined {
  let s: string | undefined;
  if (v && typeof v === 'object' && 'Url' in (v as Record<string, unknown>)) {
    s = str((v as { Url?: unknown }).Url);
  } else {
    s = str(v);
  }
  if (!s) {
    return undefined;
  }
  if (/^https?:\/\//i.test(s)) {
    try {
      const p = decodeURIComponent(new URL(s).pathname);
      const marker = libraryName ? `/${libraryName}/` : undefined;
      const at = marker ? p.indexOf(marker) : -1;
      s = at >= 0 ? p.slice(at + marker!.length) : p.split('/').pop();
    } catch {
      return undefined;
    }
  }
  const cleaned = (s ?? '').replace(/\\/g, '/').replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/');
  return cleaned === '' ? undefined : cleaned;
}

async function people(f: Record<string, unknown>, column: string, resolve: SiteUserResolver, problems: string[]): Promise<PersonRef[]> {
  const raw = f[column];
  const entries: Array<{ lookupId?: string; email?: string; displayName?: string }> = [];
  const push = (x: unknown): void => {
    if (x == null || x === '') {
      return;
    }
    if (typeof x === 'string' || typeof x === 'number') {
      const s = String(x).trim();
      entries.push(EMAIL.test(s) ? { email: s } : { lookupId: s });
      return;
    }
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      entries.push({
        lookupId: str(o.LookupId ?? o.lookupId ?? o.id),
        email: str(o.Email ?? o.email ?? o.EMail),
        displayName: str(o.LookupValue ?? o.displayName ?? o.Title)
      });
    }
  };
  if (Array.isArray(raw)) {
    raw.forEach(push);
  } else if (raw !== undefined) {
    push(raw);
  }
  if (entries.length === 0) {
    const ids = f[`${column}LookupId`];
    (Array.isArray(ids) ? ids : ids != null ? [ids] : []).forEach((id) => push(String(id)));
  }
  const out: PersonRef[] = [];
  for (const e of entries) {
    if (e.email) {
      out.push({ email: e.email.toLowerCase(), ...(e.displayName ? { displayName: e.displayName } : {}) });
      continue;
    }
    const r = e.lookupId ? await resolve(e.lookupId) : undefined;
    if (r?.email) {
      out.push({ ...r, email: r.email.toLowerCase(), ...(e.displayName && !r.displayName ? { displayName: e.displayName } : {}) });
    } else {
      problems.push(`${column === 'Enhetschef' ? 'En enhetschef' : 'En tillförordnad'} saknar e-postadress i listan och hoppas över.`);
    }
  }
  // The same person twice in one column is one person.
  const seen = new Set<string>();
  return out.filter((p) => (seen.has(p.email) ? false : (seen.add(p.email), true)));
}

/** Reads, maps and watches the units list. */
export class UnitsReader {
  private siteUsers = new Map<string, Promise<PersonRef | undefined>>();

  constructor(
    private readonly http: GraphHttp,
    private readonly where: SiteLocations,
    private readonly libraryName: string
  ) {}

  private itemsPath = async (): Promise<string> => `/sites/${await this.where.siteId()}/lists/${await this.where.unitsListId()}/items`;

  /** Every unit, in list order. @throws GraphError */
  async list(): Promise<Unit[]> {
    const items = await this.http.all<ListItemResource>(`${await this.itemsPath()}?$expand=fields&$top=999`, 'GET /sites/{site}/lists/{list}/items');
    return Promise.all(items.map((i) => this.map(i)));
  }

  /** One unit by list item id; undefined when there is no such item. @throws GraphError */
  async get(id: string): Promise<Unit | undefined> {
    try {
      const item = await this.http.get<ListItemResource>(`${await this.itemsPath()}/${encodeURIComponent(id)}?$expand=fields`, 'GET /sites/{site}/lists/{list}/items/{id}');
      return await this.map(item);
    } catch (err) {
      if ((err as { status?: number }).status === 404) {
        return undefined;
      }
      throw err;
    }
  }

  /**
   * Changes since the last call (list item delta; the deltaLink is kept in the DeltaStore).
   * `full: true` means the first run or a re-enumeration after 410: `changed` is then every unit and
   * the caller must treat units it knows but did not get as removed.
   * @throws GraphError
   */
  async delta(): Promise<{ changed: Unit[]; removedIds: string[]; full: boolean }> {
    const key = `units:${await this.where.siteId()}:${await this.where.unitsListId()}`;
    const { items, full } = await this.http.delta<ListItemResource>(key, `${await this.itemsPath()}/delta?$expand=fields`, 'GET /sites/{site}/lists/{list}/items/delta');
    // The same item may appear more than once in a delta feed: the last occurrence wins.
    const last = new Map<string, ListItemResource>();
    for (const i of items) {
      last.set(String(i.id), i);
    }
    const changed: Unit[] = [];
    const removedIds: string[] = [];
    for (const [id, i] of last) {
      if (i.deleted || i['@removed'] !== undefined) {
        removedIds.push(id);
      } else if (i.fields) {
        changed.push(await this.map(i));
      } else {
        // Delta may omit fields; read the item itself.
        const u = await this.get(id);
        if (u) {
          changed.push(u);
        } else {
          removedIds.push(id);
        }
      }
    }
    return { changed, removedIds, full };
  }

  private map(item: ListItemResource): Promise<Unit> {
    return unitFromItem(item, (id) => this.siteUser(id), this.libraryName);
  }

  /** A person column's LookupId → the user's e-mail, from the site's hidden user information list. */
  private siteUser(lookupId: string): Promise<PersonRef | undefined> {
    let p = this.siteUsers.get(lookupId);
    if (!p) {
      p = (async () => {
        const sid = await this.where.siteId();
        try {
          const item = await this.http.get<ListItemResource>(
            `/sites/${sid}/lists/${encodeURIComponent('User Information List')}/items/${encodeURIComponent(lookupId)}?$expand=fields`,
            'GET /sites/{site}/lists/User Information List/items/{id}'
          );
          const f = item.fields ?? {};
          const email = str(f.EMail ?? f.Email ?? f.UserName);
          return email ? { email: email.toLowerCase(), displayName: str(f.Title) } : undefined;
        } catch (err) {
          this.siteUsers.delete(lookupId);
          if ((err as { status?: number }).status === 404) {
            return undefined;
          }
          throw err;
        }
      })();
      this.siteUsers.set(lookupId, p);
    }
    return p;
  }
}
