/**
 * Domain types shared by every folder. Pure data: no I/O, no Graph or Teams shapes.
 * Swedish domain words stay Swedish (see shared/GLOSSARY.md).
 */

/** Employment form from the staff list. Only the first two may be ordered in. */
export type EmploymentForm = 'Tillsvidare' | 'Månadsanställd' | 'Timanställd';

/** Department (Avdelning) of a unit, as in the units list. */
export type Avdelning = 'Hemtjänst' | 'Vård- och omsorgsboende' | 'Hälso- och sjukvård';

/** A person referenced from the units list (SharePoint person field). */
export interface PersonRef {
  /** Entra object id (aadObjectId) when known. */
  id?: string;
  /** Sign-in / mail address, lower-case. */
  email: string;
  displayName?: string;
}

/** An acting manager (tillförordnad) or deputy (ställföreträdare) with an optional end date. */
export interface ActingManager extends PersonRef {
  /** ISO date (YYYY-MM-DD), inclusive; absent = open-ended. */
  endDate?: string;
}

/** One unit from the units list (`Enheter`). */
export interface Unit {
  /** SharePoint list item id: stable key of the unit. */
  id: string;
  name: string;
  avdelning?: Avdelning;
  managers: PersonRef[];
  acting: ActingManager[];
  /** SMTP address of the unit's DG group. */
  dgAddress?: string;
  /** Folder of the unit in the staff library, a path relative to the library root. */
  folder?: string;
  active: boolean;
  /** What is wrong with this item; the unit is kept, degraded. Swedish texts. */
  problems: string[];
}

/** One person on a unit's staff list. */
export interface StaffMember {
  /** Stable id within the unit's list: derived from the normalised name (see core/names.ts). */
  id: string;
  name: string;
  /** E.164, +46…; undefined when the list had none or it could not be read. */
  phone?: string;
  employmentForm: EmploymentForm;
  role?: string;
  notes?: string;
}

/** The unit's instructions to Trygghetsjouren, from the template's instructions sheet. */
export interface UnitInstructions {
  minimumStaffing: { kvall?: number; natt?: number; helgdag?: number };
  /** Cooperating units by name, in listed order, as written. */
  cooperatingUnits: string[];
  freeText?: string;
}

/** A row or cell the parser could not use. */
export interface ParseProblem {
  sheet?: string;
  /** 1-based Excel row number, when the problem belongs to a row. */
  row?: number;
  /** Swedish text naming what is wrong. */
  message: string;
}

/** Result of parsing a unit's staff workbook. Never thrown: problems are data. */
export interface StaffList {
  staff: StaffMember[];
  instructions: UnitInstructions;
  problems: ParseProblem[];
  /** True when the file could not be used at all (not xlsx, too big, no staff sheet). */
  unusable: boolean;
}

/** The kind of shift, which selects the minimum staffing. */
export type ShiftKind = 'kvall' | 'natt' | 'helgdag';

/** A working time to replace: date + local start/end in Europe/Stockholm; end may pass midnight. */
export interface ShiftInput {
  /** YYYY-MM-DD, the date the shift starts. */
  date: string;
  /** HH:mm, 24-hour. */
  start: string;
  /** HH:mm, 24-hour; if <= start the shift passes midnight. */
  end: string;
}

export type CallOutcome = 'accepted' | 'declined' | 'no_answer';

export type Lang = 'sv' | 'en';

/* ---------- Access (permission sync) ---------- */

/** A permission on a unit folder, normalised from Graph's `permission` resource by graph/. */
export interface FolderPermission {
  /** Graph permission id (needed to revoke). */
  id: string;
  /** e.g. ['write'], ['read'], ['owner']. */
  roles: string[];
  /** True when the permission is inherited from a parent (Graph: `inheritedFrom` set). Never deletable. */
  inherited: boolean;
  /** Set when granted to a single user. */
  user?: { id?: string; email?: string; displayName?: string };
  /** Set when granted to a group or a SharePoint group. */
  group?: { id?: string; displayName?: string };
  /** Set when it is a sharing link rather than a direct grant. */
  link?: boolean;
}

/** Kind of the unit's DG group, as seen through Graph. */
export type DgGroupKind = 'unified' | 'security' | 'mailEnabledSecurity' | 'distributionList';

/** A member of a DG group. */
export interface GroupMember {
  id: string;
  email?: string;
  displayName?: string;
}

/** What the bot itself granted earlier (kept in the store): the basis for safe revocation. */
export interface ManagedGrant {
  unitId: string;
  kind: 'folder' | 'group';
  /** Entra user id of the grantee. */
  userId: string;
  email: string;
  /** Graph permission id for folder grants. */
  permissionId?: string;
  grantedAt: string;
}

/** The time source of the bot and its jobs; local mode may start it at a chosen instant (CLOCK_START). */
export interface Clock {
  now(): Date;
}
