/**
 * Staff lists and routine documents from the unit folders of the staff library.
 *
 * Cache: per unit folder, the folder's listing (ids, names, cTags) and the parsed workbook keyed by
 * its cTag (the content tag: changes when the content changes, not on rename). Between two
 * `refresh()` calls a cached folder is trusted without asking Graph — a warm call-in costs zero
 * requests. `refresh()` runs drive delta (root only, as Graph requires) and drops exactly the folders
 * whose files changed. Entries also expire after `maxAgeMs` so personal data is not held unchecked.
 */
import type { Logger } from 'pino';
import type { StaffList, Unit } from '../core/model';
import { DEFAULT_MAX_BYTES, parseStaffWorkbook, type ParsedStaffList, type StaffListParseOptions } from '../core/staffList';
import { encodePath, type GraphHttp } from './client';
import { GraphError } from './errors';
import type { SiteLocations } from './sharepoint';

/** A driveItem as far as we read it. */
interface DriveItemResource {
  id: string;
  name: string;
  cTag?: string;
  eTag?: string;
  webUrl?: string;
  size?: number;
  lastModifiedDateTime?: string;
  file?: { mimeType?: string };
  folder?: { childCount?: number };
  deleted?: { state?: string };
  root?: unknown;
  parentReference?: { id?: string; driveId?: string; path?: string };
  children?: DriveItemResource[];
}

/** The staff list of one unit, as read from its folder. Problems (Swedish) explain anything missing. */
export interface StaffListResult extends StaffList {
  unitId: string;
  /** The workbook that was read, when one was found. */
  file?: { id: string; name: string; webUrl?: string; cTag?: string; lastModifiedDateTime?: string };
  cooperating?: ParsedStaffList['cooperating'];
  unitName?: string;
  /** True when answered from the cache without asking Graph. */
  fromCache: boolean;
  /** True when Graph could not be reached and an earlier reading is returned. */
  stale?: boolean;
}

export interface RoutineDocument {
  name: string;
  webUrl: string;
}

interface FolderEntry {
  folderId: string;
  children: DriveItemResource[];
  readAt: number;
}

interface ParsedEntry {
  fileId: string;
  cTag: string;
  parsed: ParsedStaffList;
}

const XLSX = /\.xlsx$/i;

/**
 * Picks the staff workbook among a folder's files: the .xlsx whose name starts with
 * "Personallista" (case and diacritics ignored), else the only .xlsx. Ambiguity is reported.
 */
export function pickWorkbook(files: Array<{ name: string; lastModifiedDateTime?: string }>): { index?: number; problems: string[] } {
  const xlsx = files.map((f, i) => ({ f, i })).filter(({ f }) => XLSX.test(f.name) && !f.name.startsWith('~$'));
  const named = xlsx.filter(({ f }) => f.name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().startsWith('personallista'));
  const newest = (xs: typeof xlsx): number => [...xs].sort((a, b) => (b.f.lastModifiedDateTime ?? '').localeCompare(a.f.lastModifiedDateTime ?? ''))[0].i;
  if (named.length === 1) {
    return { index: named[0].i, problems: [] };
  }
  if (named.length > 1) {
    const i = newest(named);
    return {
      index: i,
      problems: [`Flera personallistor i mappen (${named.map(({ f }) => f.name).join(', ')}); den senast ändrade, ${files[i].name}, används.`]
    };
  }
  if (xlsx.length === 1) {
    return { index: xlsx[0].i, problems: [] };
  }
  if (xlsx.length > 1) {
    return { problems: [`Flera Excel-filer i mappen (${xlsx.map(({ f }) => f.name).join(', ')}) och ingen heter "Personallista…": döp om personallistan.`] };
  }
  return { problems: ['Ingen personallista (.xlsx) i enhetens mapp.'] };
}

export class StaffLists {
  private readonly folders = new Map<string, FolderEntry>();
  private readonly parsed = new Map<string, ParsedEntry>();
  private readonly inflight = new Map<string, Promise<FolderEntry | undefined>>();

  constructor(
    private readonly http: GraphHttp,
    private readonly where: SiteLocations,
    private readonly log: Logger,
    private readonly maxAgeMs: number,
    private readonly libraryName: string
  ) {}

  /**
   * The unit's staff list. Unit-level trouble (no folder, no workbook, unreadable file) is returned
   * as `unusable: true` with Swedish problems, never thrown.
   * @throws GraphError only when Graph cannot be reached and nothing was cached (retryable).
   */
  async get(unit: Unit, opts: Pick<StaffListParseOptions, 'knownUnits'> = {}): Promise<StaffListResult> {
    if (!unit.folder) {
      return this.unusable(unit, 'Enheten har ingen mapp angiven i enhetslistan.');
    }
    const key = folderKey(unit.folder);
    const cached = this.fresh(key);
    let entry: FolderEntry | undefined;
    let fromCache = false;
    if (cached) {
      entry = cached;
      fromCache = true;
    } else {
      try {
        entry = await this.listFolder(unit.folder);
      } catch (err) {
        const stale = this.staleResult(unit, key);
        if (stale && err instanceof GraphError && err.retryable) {
          this.log.warn({ op: 'staff.get', unitId: unit.id, status: err.status, code: err.code }, 'staff folder unreadable; serving the last reading');
          return stale;
        }
        throw err;
      }
    }
    if (!entry) {
      return this.unusable(unit, `Mappen "${unit.folder}" finns inte i ${this.libraryName}.`);
    }

    const files = entry.children.filter((c) => c.file !== undefined || c.folder === undefined);
    const pick = pickWorkbook(files);
    if (pick.index === undefined) {
      return this.unusable(unit, pick.problems.join(' '));
    }
    const file = files[pick.index];
    const fileInfo = { id: file.id, name: file.name, webUrl: file.webUrl, cTag: file.cTag, lastModifiedDateTime: file.lastModifiedDateTime };
    const extra = pick.problems.map((message) => ({ message }));

    const known = this.parsed.get(file.id);
    if (known && file.cTag !== undefined && known.cTag === file.cTag) {
      return this.result(unit, known.parsed, fileInfo, extra, fromCache);
    }
    if (file.size !== undefined && file.size > DEFAULT_MAX_BYTES) {
      return { ...this.unusable(unit, `Personallistan ${file.name} är för stor (över 5 MB).`), file: fileInfo };
    }
    let buf: Buffer;
    try {
      const drive = await this.where.staffDriveId();
      buf = (await this.http.request<Buffer>({
        method: 'GET',
        path: `/drives/${drive}/items/${encodeURIComponent(file.id)}/content`,
        template: 'GET /drives/{drive}/items/{id}/content',
        responseType: 'buffer'
      })).body;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) {
        this.folders.delete(key); // the listing was out of date
        return { ...this.unusable(unit, `Personallistan ${file.name} kunde inte hämtas (finns inte längre).`), file: fileInfo };
      }
      if (known && err instanceof GraphError && err.retryable) {
        return { ...this.result(unit, known.parsed, fileInfo, extra, false), stale: true };
      }
      throw err;
    }
    let parsed: ParsedStaffList;
    try {
      parsed = await parseStaffWorkbook(buf, opts);
    } catch {
      // The parser promises never to throw; keep the unit degraded, not the bot, if it does.
      parsed = { staff: [], instructions: { minimumStaffing: {}, cooperatingUnits: [] }, problems: [{ message: 'Personallistan kunde inte läsas.' }], unusable: true, cooperating: { matched: [], unmatched: [] } };
    }
    if (file.cTag !== undefined) {
      this.parsed.set(file.id, { fileId: file.id, cTag: file.cTag, parsed });
    }
    return this.result(unit, parsed, fileInfo, extra, false);
  }

  /**
   * The folder's other files (routine documents): name and link, the staff workbook left out.
   * A missing folder gives an empty list. @throws GraphError when Graph cannot be reached.
   */
  async documents(unit: Unit): Promise<RoutineDocument[]> {
    if (!unit.folder) {
      return [];
    }
    const entry = this.fresh(folderKey(unit.folder)) ?? (await this.listFolder(unit.folder));
    if (!entry) {
      return [];
    }
    const files = entry.children.filter((c) => c.folder === undefined);
    const pick = pickWorkbook(files);
    return files
      .filter((_, i) => i !== pick.index)
      .filter((f) => !f.name.startsWith('~$'))
      .map((f) => ({ name: f.name, webUrl: f.webUrl ?? '' }))
      .sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  }

  /**
   * Drive delta over the staff library (root only; Graph supports delta on a drive's root, not on
   * folders). Drops the cache of every folder whose files changed and returns those folders' paths
   * (as the units list writes them). On the first run or after 410 Gone it is a full enumeration:
   * folders are then compared file by file (id + cTag) so an unchanged cache survives.
   * @throws GraphError
   */
  async refresh(): Promise<{ changedUnitFolders: string[] }> {
    const drive = await this.where.staffDriveId();
    const { items, full } = await this.http.delta<DriveItemResource>(`staff:${drive}`, `/drives/${drive}/root/delta`, 'GET /drives/{drive}/root/delta');
    const changed = new Set<string>();
    const byFolderId = new Map<string, string>();
    const byChildId = new Map<string, string>();
    for (const [key, e] of this.folders) {
      byFolderId.set(e.folderId, key);
      for (const c of e.children) {
        byChildId.set(c.id, key);
      }
    }
    if (full) {
      // Complete state: compare each cached folder's files with what the enumeration shows.
      const now = new Map<string, DriveItemResource[]>();
      for (const it of items) {
        const parent = it.parentReference?.id;
        if (parent && byFolderId.has(parent) && !it.deleted) {
          (now.get(parent) ?? now.set(parent, []).get(parent)!).push(it);
        }
      }
      for (const [key, e] of this.folders) {
        const sig = (xs: DriveItemResource[]): string => xs.map((x) => `${x.id}|${x.name}|${x.cTag ?? x.eTag ?? ''}`).sort().join('\n');
        const present = items.some((it) => it.id === e.folderId && !it.deleted);
        if (!present || sig(now.get(e.folderId) ?? []) !== sig(e.children)) {
          changed.add(key);
        }
      }
    } else {
      for (const it of items) {
        const k = byFolderId.get(it.id) ?? (it.parentReference?.id ? byFolderId.get(it.parentReference.id) : undefined) ?? byChildId.get(it.id);
        if (k) {
          changed.add(k);
        }
      }
    }
    const paths: string[] = [];
    for (const key of changed) {
      paths.push(this.folderPaths.get(key) ?? key);
      const e = this.folders.get(key);
      this.folders.delete(key);
      for (const c of e?.children ?? []) {
        // Parsed lists stay keyed by cTag: an unchanged file is not downloaded again.
        if (!items.some((it) => it.id === c.id && !it.deleted) && full) {
          this.parsed.delete(c.id);
        }
      }
    }
    // Deleted files: forget their parsed content (personal data) at once.
    for (const it of items) {
      if (it.deleted) {
        this.parsed.delete(it.id);
      }
    }
    this.log.info({ op: 'staff.refresh', full, items: items.length, changedFolders: changed.size }, 'staff library delta');
    return { changedUnitFolders: paths };
  }

  /** Forgets everything (e.g. on shutdown or when retention demands it). */
  clear(): void {
    this.folders.clear();
    this.parsed.clear();
  }

  private readonly folderPaths = new Map<string, string>();

  private fresh(key: string): FolderEntry | undefined {
    const e = this.folders.get(key);
    if (e && Date.now() - e.readAt <= this.maxAgeMs) {
      return e;
    }
    return undefined;
  }

  /** Lists the folder with its children in one request; undefined when it does not exist. */
  private listFolder(folder: string): Promise<FolderEntry | undefined> {
    const key = folderKey(folder);
    let p = this.inflight.get(key);
    if (!p) {
      p = (async () => {
        const drive = await this.where.staffDriveId();
        try {
          const item = await this.http.get<DriveItemResource>(
            `/drives/${drive}/root:/${encodePath(folder)}?$expand=children`,
            'GET /drives/{drive}/root:/{folder}?$expand=children'
          );
          let children = item.children ?? [];
          if (item.folder && (item.folder.childCount ?? 0) > children.length) {
            // $expand=children is capped; page through the rest.
            children = await this.http.all<DriveItemResource>(`/drives/${drive}/items/${encodeURIComponent(item.id)}/children`, 'GET /drives/{drive}/items/{id}/children');
          }
          const entry: FolderEntry = { folderId: item.id, children, readAt: Date.now() };
          this.folders.set(key, entry);
          this.folderPaths.set(key, folder);
          return entry;
        } catch (err) {
          if (err instanceof GraphError && err.status === 404) {
            return undefined;
          }
          throw err;
        }
      })().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private staleResult(unit: Unit, key: string): StaffListResult | undefined {
    const e = this.folders.get(key);
    if (!e) {
      return undefined;
    }
    const files = e.children.filter((c) => c.folder === undefined);
    const pick = pickWorkbook(files);
    const file = pick.index !== undefined ? files[pick.index] : undefined;
    const known = file ? this.parsed.get(file.id) : undefined;
    if (!file || !known) {
      return undefined;
    }
    return { ...this.result(unit, known.parsed, { id: file.id, name: file.name, webUrl: file.webUrl, cTag: file.cTag }, [], true), stale: true };
  }

  private result(unit: Unit, p: ParsedStaffList, file: StaffListResult['file'], extra: Array<{ message: string }>, fromCache: boolean): StaffListResult {
    return {
      unitId: unit.id,
      staff: p.staff,
      instructions: p.instructions,
      problems: [...extra, ...p.problems],
      unusable: p.unusable,
      cooperating: p.cooperating,
      unitName: p.unitName,
      file,
      fromCache
    };
  }

  private unusable(unit: Unit, message: string): StaffListResult {
    return {
      unitId: unit.id,
      staff: [],
      instructions: { minimumStaffing: {}, cooperatingUnits: [] },
      problems: [{ message }],
      unusable: true,
      fromCache: false
    };
  }
}

function folderKey(folder: string): string {
  return folder.replace(/^\/+|\/+$/g, '').toLowerCase();
}
