/**
 * The units list (`Enheter`) → typed {@link Unit}s. A unit with missing or wrong fields is kept and
 * flagged (Swedish texts in `problems`), so one bad row never hides the others.
 */
import type { ActingManager, Avdelning, PersonRef, Unit } from '../core/model';
import type { Logger } from 'pino';
import type { GraphHttp } from './client';
import type { DeltaStore } from './config';
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

/** One list-item delta round, mapped. `from`/`to`: the deltaLinks it started from and ended at. */
export interface UnitsDelta {
  changed: Unit[];
  removedIds: string[];
  full: boolean;
  from?: string;
  to?: string;
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
  async delta(store?: DeltaStore): Promise<UnitsDelta> {
    const key = `units:${await this.where.siteId()}:${await this.where.unitsListId()}`;
    const { items, full, from, to } = await this.http.delta<ListItemResource>(key, `${await this.itemsPath()}/delta?$expand=fields`, 'GET /sites/{site}/lists/{list}/items/delta', store);
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
    return { changed, removedIds, full, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
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

export interface UnitsCacheOptions {
  /**
   * A cheap list-item delta runs in the background when nothing has validated the cache for this
   * long (ms; default 60000; 0 = no background refresh).
   */
  refreshMs: number;
  /**
   * After this long without a validation (ms; default 300000) a read waits for a delta before it
   * answers. If Graph cannot be reached then, the last state is served (and logged) until it can.
   */
  maxAgeMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * The units list, held in memory per instance (DESIGN §7: caches are per instance and invalidated
 * by delta, never trusted across instances).
 *
 * - Loaded on first use by a list-item delta enumeration on this instance's own deltaLink, which
 *   is kept in memory only (never in the shared store: that link belongs to the permission sync, and
 *   another instance may advance it).
 * - Kept fresh by delta: its own periodic delta (`refreshMs`) when nothing else validated it, and
 *   the results of the sync's delta (`learn`), which cost no extra request. The sync's results are
 *   applied at once; they count as a validation only when they are a full enumeration or continue
 *   the chain of deltaLinks this instance saw last (another instance may have consumed changes in
 *   between otherwise, and the own delta catches those).
 * - Bounded staleness: a change to the units list reaches this instance within `refreshMs` (plus
 *   the delta's duration), at once when the change notification lands on this instance's sync; no
 *   answer is older than `maxAgeMs` unless Graph cannot be reached (then the last state is served
 *   and a warning logged on each failed revalidation).
 * - An id the cache does not know triggers one revalidation (at most once per 5 s), so a unit that
 *   was just added is found without waiting for the timer.
 */
export class UnitsCache {
  private units?: Map<string, Unit>;
  /** Per unit: the start time of the read that produced its current state (older reads lose). */
  private seenAt = new Map<string, number>();
  private validatedAt = 0;
  private loading?: Promise<void>;
  private revalidating?: Promise<void>;
  private lastMissRefresh = 0;
  private readonly ownLinks = new Map<string, string>();
  private readonly ownStore: DeltaStore = {
    get: async (k) => this.ownLinks.get(k),
    set: async (k, v) => {
      this.ownLinks.set(k, v);
    }
  };
  /** The deltaLink the shared (sync) delta ended at, when this cache had applied it while valid. */
  private sharedLink?: string;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly reader: UnitsReader,
    private readonly opts: UnitsCacheOptions
  ) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Every unit, in list order, from memory once loaded. `fresh`: read the list itself from Graph
   * (the permission sync's reconcile, which must not trust a cache) and refill the cache with it.
   * @throws GraphError when nothing is cached and Graph cannot answer (always, when `fresh`)
   */
  async list(opts: { fresh?: boolean } = {}): Promise<Unit[]> {
    if (opts.fresh) {
      const started = this.now();
      const all = await this.reader.list();
      this.apply({ changed: all, removedIds: [], full: true }, started);
      this.validatedAt = Math.max(this.validatedAt, started);
      return all;
    }
    await this.ready();
    return [...this.units!.values()];
  }

  /** One unit by id, from memory once loaded; `fresh`: read the item from Graph. @throws GraphError as list() */
  async get(id: string, opts: { fresh?: boolean } = {}): Promise<Unit | undefined> {
    if (opts.fresh) {
      const started = this.now();
      const u = await this.reader.get(id);
      this.apply(u ? { changed: [u], removedIds: [], full: false } : { changed: [], removedIds: [id], full: false }, started);
      return u;
    }
    await this.ready();
    const hit = this.units!.get(id);
    if (hit || this.now() - this.lastMissRefresh < 5000) {
      return hit;
    }
    this.lastMissRefresh = this.now();
    await this.revalidate().catch(() => undefined);
    return this.units!.get(id);
  }

  /** The shared delta (the permission sync's), applied to the cache. Same result returned. */
  async sharedDelta(): Promise<UnitsDelta> {
    const started = this.now();
    const d = await this.reader.delta();
    this.learn(d, started);
    return d;
  }

  /** Stops the background refresh and forgets everything. */
  close(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.units = undefined;
    this.seenAt.clear();
    this.ownLinks.clear();
    this.sharedLink = undefined;
    this.validatedAt = 0;
  }

  /** Loaded and not older than maxAgeMs (or Graph unreachable and something is cached). */
  private async ready(): Promise<void> {
    if (!this.units) {
      await this.load();
      return;
    }
    if (this.now() - this.validatedAt > this.opts.maxAgeMs) {
      try {
        await this.revalidate();
      } catch (err) {
        this.opts.log.warn({ op: 'units.cache', status: (err as { status?: number }).status, code: (err as { code?: string }).code }, 'units list could not be revalidated; serving the last state');
      }
    }
  }

  private load(): Promise<void> {
    if (!this.loading) {
      this.loading = this.revalidate().finally(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  /** A delta round on this instance's own link (a full enumeration the first time). Coalesced. */
  private revalidate(): Promise<void> {
    if (!this.revalidating) {
      this.revalidating = (async () => {
        const started = this.now();
        const d = await this.reader.delta(this.ownStore);
        this.apply(d, started);
        this.validatedAt = Math.max(this.validatedAt, started);
        this.startTimer();
      })().finally(() => {
        this.revalidating = undefined;
      });
    }
    return this.revalidating;
  }

  private learn(d: UnitsDelta, started: number): void {
    if (!this.units && !d.full) {
      // Nothing loaded: a partial delta says nothing about the rest. The first read loads.
      this.sharedLink = d.to;
      return;
    }
    const continuous = this.units !== undefined && d.from !== undefined && d.from === this.sharedLink;
    this.apply(d, started);
    if (d.full || continuous) {
      this.validatedAt = Math.max(this.validatedAt, started);
    }
    this.sharedLink = d.to;
    this.opts.log.debug({ op: 'units.cache', changed: d.changed.length, removed: d.removedIds.length, full: d.full, validated: d.full || continuous }, 'units cache learned from the sync delta');
  }

  private apply(d: UnitsDelta, started: number): void {
    const units = this.units ?? new Map<string, Unit>();
    for (const u of d.changed) {
      if ((this.seenAt.get(u.id) ?? -Infinity) <= started) {
        units.set(u.id, u);
        this.seenAt.set(u.id, started);
      }
    }
    for (const id of d.removedIds) {
      if ((this.seenAt.get(id) ?? -Infinity) <= started) {
        units.delete(id);
        this.seenAt.set(id, started);
      }
    }
    if (d.full) {
      const present = new Set(d.changed.map((u) => u.id));
      for (const id of [...units.keys()]) {
        if (!present.has(id) && (this.seenAt.get(id) ?? -Infinity) <= started) {
          units.delete(id);
          this.seenAt.delete(id);
        }
      }
    }
    this.units = units;
  }

  private startTimer(): void {
    if (this.timer || this.opts.refreshMs <= 0) {
      return;
    }
    this.timer = setInterval(() => {
      if (this.now() - this.validatedAt < this.opts.refreshMs || this.revalidating) {
        return;
      }
      this.revalidate().catch((err: unknown) => {
        this.opts.log.warn({ op: 'units.cache', status: (err as { status?: number }).status, code: (err as { code?: string }).code }, 'periodic units delta failed');
      });
    }, Math.max(1000, Math.floor(this.opts.refreshMs / 2)));
    this.timer.unref();
  }
}
