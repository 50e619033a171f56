/**
 * The tenant as data before it is served: what `tenant.json` plus the staff-library folder
 * describe (see dev/tenant-data/README.md), or what the generator makes in memory.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export type GroupKind = 'unified' | 'security' | 'mailEnabledSecurity' | 'distributionList';

export interface SeedUser {
  id: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail: string;
  /** Defaults to mail. */
  userPrincipalName?: string;
  jobTitle?: string;
  mobilePhone?: string;
}

export interface SeedGroup {
  id: string;
  displayName: string;
  /** Absent for a security group that is not mail-enabled. */
  mail?: string;
  mailNickname: string;
  kind: GroupKind;
  description?: string;
  /** Members by user mail, or by group id (nested groups). */
  members: string[];
}

export interface SeedUnit {
  /** List item id (a string of an integer, as SharePoint gives). */
  id: string;
  Title: string;
  Avdelning?: string;
  /** Manager mails (person column, multi). */
  Enhetschef: string[];
  Tillforordnad: string[];
  /** Date-only column, YYYY-MM-DD. */
  TillforordnadTom?: string;
  DGAdress?: string;
  Mapp?: string;
  Aktiv: boolean;
}

export interface SeedFile {
  /** Path in the library, '/'-separated, e.g. "Hemtjänst Majorna/Personallista.xlsx". */
  path: string;
  /** Bytes, or a function that makes them on first read (the generator builds xlsx lazily). */
  content: Buffer | (() => Promise<Buffer>);
  size?: number;
}

export interface SeedGrant {
  /** Folder or file path in the library. */
  path: string;
  roles: string[];
  /** Grant to a user by mail... */
  user?: string;
  /** ...or a sharing link. */
  link?: { type: 'view' | 'edit'; scope: 'organization' | 'users' | 'anonymous' };
}

export interface TenantSeed {
  tenantId: string;
  hostname: string;
  site: { name: string; displayName: string; collectionId: string; webId: string };
  users: SeedUser[];
  groups: SeedGroup[];
  /** SharePoint groups of the site: hold the library's root permissions, inherited below. */
  siteGroups: Array<{ id: number; displayName: string; roles: string[] }>;
  unitsList: { id: string; name: string; displayName: string; items: SeedUnit[] };
  staffLibrary: {
    listId: string;
    driveId: string;
    name: string;
    displayName: string;
    /** Folders (also empty ones), '/'-separated paths. */
    folders: string[];
    files: SeedFile[];
    /** Direct grants made by hand (they break inheritance on that item). */
    grants: SeedGrant[];
  };
  /** The site's default "Dokument" library (empty), which Graph always has. */
  defaultDrive: { listId: string; driveId: string; name: string; displayName: string };
}

/** Reads `tenant.json` and the library folder named by `staffLibrary.folder` under `dir`. */
export async function loadSeedFromDir(dir: string): Promise<TenantSeed> {
  const raw = JSON.parse(await fs.readFile(path.join(dir, 'tenant.json'), 'utf8')) as Omit<TenantSeed, 'staffLibrary'> & {
    staffLibrary: Omit<TenantSeed['staffLibrary'], 'folders' | 'files'> & { folder: string };
  };
  const libRoot = path.join(dir, raw.staffLibrary.folder);
  const folders: string[] = [];
  const files: SeedFile[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    const entries = await fs.readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name, 'sv'));
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        folders.push(childRel);
        await walk(path.join(abs, e.name), childRel);
      } else if (e.isFile() && e.name !== '.keep') {
        const content = await fs.readFile(path.join(abs, e.name));
        files.push({ path: childRel, content, size: content.length });
      }
    }
  }
  await walk(libRoot, '');
  const { folder: _folder, ...lib } = raw.staffLibrary;
  return { ...raw, staffLibrary: { ...lib, folders, files } };
}
