/**
 * The live tenant: what the routes read and change. Built from a TenantSeed; `reset` builds it
 * again. Every change takes the next `seq`, which is what delta tokens count.
 */
import { randomUUID } from 'node:crypto';
import { driveItemIdFrom, guidFrom } from './http';
import type { GroupKind, TenantSeed } from './seed';

export interface User {
  id: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail: string;
  userPrincipalName: string;
  jobTitle?: string;
  mobilePhone?: string;
  /** Id of the user in the site's user information list (what person columns' LookupId are). */
  siteUserId: number;
}

export interface Group {
  id: string;
  displayName: string;
  mail: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  description: string | null;
  kind: GroupKind;
  /** Member object ids (users or groups), in the order added. */
  members: string[];
}

export interface ListItem {
  id: string;
  guid: string;
  version: number;
  created: string;
  modified: string;
  seq: number;
  /** Stored values: person columns as arrays of user ids, dates as YYYY-MM-DD. */
  fields: Record<string, unknown>;
}

export interface SpList {
  id: string;
  name: string;
  displayName: string;
  template: 'genericList' | 'documentLibrary';
  created: string;
  items: Map<string, ListItem>;
  nextId: number;
  /** Deleted item id -> seq of the deletion. */
  tombstones: Map<string, number>;
  driveId?: string;
}

export interface Permission {
  id: string;
  roles: string[];
  user?: string;
  siteGroup?: number;
  group?: string;
  link?: { type: string; scope: string; webUrl: string };
  invitation?: { email: string; signInRequired: boolean };
  /** Epoch ms before which the grant is accepted but not yet visible (invite's eventual effect). */
  visibleAt?: number;
}

export interface DriveItem {
  id: string;
  name: string;
  parentId: string | null;
  folder: boolean;
  content?: Buffer | (() => Promise<Buffer>);
  size: number;
  created: string;
  modified: string;
  /** eTag counter (metadata or content changes). */
  version: number;
  /** cTag counter (content changes). */
  contentVersion: number;
  guid: string;
  seq: number;
  /** False while the item inherits its parent's permissions. */
  uniquePermissions: boolean;
  /** Direct permissions (only meaningful when uniquePermissions, or on the root). */
  permissions: Permission[];
  listItemId: string;
}

export interface Drive {
  id: string;
  name: string;
  displayName: string;
  listId: string;
  rootId: string;
  created: string;
  items: Map<string, DriveItem>;
  tombstones: Map<string, { seq: number; parentId: string | null; name: string; folder: boolean }>;
}

export interface Subscription {
  id: string;
  resource: string;
  changeType: string;
  clientState?: string;
  notificationUrl: string;
  expirationDateTime: string;
  applicationId: string;
  creatorId: string;
  latestSupportedTlsVersion: string;
  notificationContentType: string;
  /** Normalised list id the subscription watches. */
  listId: string;
}

export interface SentMail {
  id: string;
  receivedAt: string;
  /** The mailbox the request was sent as (id or UPN from the URL, resolved to the user's mail). */
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: { contentType: string; content: string };
  internetMessageHeaders: Array<{ name: string; value: string }>;
  /** The message's `singleValueExtendedProperties` as sent (Graph: extended properties overview). */
  singleValueExtendedProperties?: ExtendedProperty[];
  saveToSentItems: boolean;
  /** Id of the copy in the sender's Sent Items (when saveToSentItems was not false). */
  sentItemId?: string;
  clientRequestId?: string;
  requestId: string;
}

export interface ExtendedProperty {
  id: string;
  value: string;
}

/** A message stored in a mailbox folder (only Sent Items gets any: the copies sendMail saves). */
export interface MailboxMessage {
  id: string;
  /** Well-known folder name, lower case ('sentitems'). */
  folder: string;
  createdDateTime: string;
  sentDateTime: string;
  subject: string;
  body: { contentType: string; content: string };
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  internetMessageId: string;
  conversationId: string;
  internetMessageHeaders: Array<{ name: string; value: string }>;
  singleValueExtendedProperties: ExtendedProperty[];
  /** Epoch ms from which the copy shows in reads (Exchange saves the copy asynchronously). */
  visibleAt: number;
}

export interface SiteGroup {
  id: number;
  displayName: string;
  roles: string[];
}

export class TenantState {
  /** Changes every load: delta tokens from before a reset are answered with 410. */
  epoch = randomUUID().slice(0, 8);
  seq = 0;
  tenantId: string;
  hostname: string;
  site: { id: string; name: string; displayName: string; webUrl: string; created: string };
  users = new Map<string, User>();
  groups = new Map<string, Group>();
  siteGroups = new Map<number, SiteGroup>();
  lists = new Map<string, SpList>();
  drives = new Map<string, Drive>();
  subscriptions = new Map<string, Subscription>();
  mail: SentMail[] = [];
  /** Mailbox folder contents by user id (Sent Items copies saved by sendMail). */
  mailboxes = new Map<string, MailboxMessage[]>();
  /** Milliseconds before a sendMail's copy shows in Sent Items (0 = at once). */
  sentItemsDelayMs = 0;
  unitsListId: string;
  staffDriveId: string;
  defaultDriveId: string;
  /** Milliseconds an invite's grant stays invisible after the 200 (0 = at once). */
  inviteDelayMs = 0;

  constructor(seed: TenantSeed) {
    const created = '2024-01-15T08:00:00Z';
    this.tenantId = seed.tenantId;
    this.hostname = seed.hostname;
    this.site = {
      id: `${seed.hostname},${seed.site.collectionId},${seed.site.webId}`,
      name: seed.site.name,
      displayName: seed.site.displayName,
      webUrl: `https://${seed.hostname}/sites/${seed.site.name}`,
      created
    };
    let siteUserId = 10;
    for (const u of seed.users) {
      this.users.set(u.id, {
        ...u,
        mail: u.mail.toLowerCase(),
        userPrincipalName: (u.userPrincipalName ?? u.mail).toLowerCase(),
        siteUserId: siteUserId++
      });
    }
    for (const g of seed.siteGroups) {
      this.siteGroups.set(g.id, { ...g });
    }
    for (const g of seed.groups) {
      const flags = groupFlags(g.kind);
      this.groups.set(g.id, {
        id: g.id,
        displayName: g.displayName,
        mail: g.mail?.toLowerCase() ?? null,
        mailNickname: g.mailNickname,
        description: g.description ?? null,
        kind: g.kind,
        ...flags,
        members: []
      });
    }
    for (const g of seed.groups) {
      const grp = this.groups.get(g.id)!;
      for (const m of g.members) {
        const id = this.groups.has(m) ? m : this.userByMail(m)?.id;
        if (!id) {
          throw new Error(`tenant seed: group ${g.displayName} names unknown member ${m}`);
        }
        grp.members.push(id);
      }
    }

    // The units list.
    const ul = seed.unitsList;
    const units: SpList = {
      id: ul.id,
      name: ul.name,
      displayName: ul.displayName,
      template: 'genericList',
      created,
      items: new Map(),
      nextId: 1,
      tombstones: new Map()
    };
    for (const u of ul.items) {
      const fields: Record<string, unknown> = {
        Title: u.Title,
        Avdelning: u.Avdelning,
        Enhetschef: u.Enhetschef.map((m) => this.requireUserByMail(m, u.Title).id),
        Tillforordnad: u.Tillforordnad.map((m) => this.requireUserByMail(m, u.Title).id),
        TillforordnadTom: u.TillforordnadTom,
        DGAdress: u.DGAdress,
        Mapp: u.Mapp,
        Aktiv: u.Aktiv
      };
      units.items.set(u.id, {
        id: u.id,
        guid: guidFrom(`item:${ul.id}:${u.id}`),
        version: 1,
        created,
        modified: created,
        seq: ++this.seq,
        fields
      });
      units.nextId = Math.max(units.nextId, Number(u.id) + 1);
    }
    this.lists.set(units.id, units);
    this.unitsListId = units.id;

    // Libraries.
    this.staffDriveId = seed.staffLibrary.driveId;
    const lib = seed.staffLibrary;
    const drive = this.addLibrary(lib.listId, lib.driveId, lib.name, lib.displayName, created);
    for (const f of lib.folders) {
      this.ensureFolder(drive, f, created);
    }
    for (const f of lib.files) {
      const slash = f.path.lastIndexOf('/');
      const parent = slash < 0 ? drive.items.get(drive.rootId)! : this.ensureFolder(drive, f.path.slice(0, slash), created);
      this.addItem(drive, parent.id, f.path.slice(slash + 1), false, created, f.content, f.size);
    }
    for (const gr of lib.grants) {
      const item = this.itemByPath(drive, gr.path);
      if (!item) {
        throw new Error(`tenant seed: grant on unknown path ${gr.path}`);
      }
      this.breakInheritance(drive, item);
      if (gr.user) {
        const user = this.requireUserByMail(gr.user, gr.path);
        item.permissions.push({ id: permId(), roles: gr.roles, user: user.id });
      } else if (gr.link) {
        item.permissions.push({
          id: permId(),
          roles: gr.roles,
          link: { ...gr.link, webUrl: `https://${this.hostname}/:f:/s/${this.site.name}/${driveItemIdFrom('link' + gr.path).slice(2, 24)}` }
        });
      }
    }
    const dd = seed.defaultDrive;
    this.addLibrary(dd.listId, dd.driveId, dd.name, dd.displayName, created);
    this.defaultDriveId = dd.driveId;
  }

  private addLibrary(listId: string, driveId: string, name: string, displayName: string, created: string): Drive {
    const rootId = driveItemIdFrom(`${driveId}:root`);
    const drive: Drive = { id: driveId, name, displayName, listId, rootId, created, items: new Map(), tombstones: new Map() };
    drive.items.set(rootId, {
      id: rootId,
      name: 'root',
      parentId: null,
      folder: true,
      size: 0,
      created,
      modified: created,
      version: 1,
      contentVersion: 1,
      guid: guidFrom(`${driveId}:root`),
      seq: ++this.seq,
      uniquePermissions: true,
      permissions: [...this.siteGroups.values()].map((g) => ({ id: permIdFrom(`${driveId}:sg:${g.id}`), roles: g.roles, siteGroup: g.id })),
      listItemId: '0'
    });
    this.drives.set(driveId, drive);
    this.lists.set(listId, {
      id: listId,
      name,
      displayName,
      template: 'documentLibrary',
      created,
      items: new Map(),
      nextId: 1,
      tombstones: new Map(),
      driveId
    });
    return drive;
  }

  private ensureFolder(drive: Drive, folderPath: string, created: string): DriveItem {
    let cur = drive.items.get(drive.rootId)!;
    for (const part of folderPath.split('/').filter(Boolean)) {
      const next = this.childByName(drive, cur.id, part);
      cur = next ?? this.addItem(drive, cur.id, part, true, created);
    }
    return cur;
  }

  addItem(
    drive: Drive,
    parentId: string,
    name: string,
    folder: boolean,
    when: string,
    content?: Buffer | (() => Promise<Buffer>),
    size?: number
  ): DriveItem {
    const list = this.lists.get(drive.listId)!;
    const itemPath = this.pathOf(drive, parentId) + '/' + name;
    const id = driveItemIdFrom(`${drive.id}:${itemPath}`);
    const item: DriveItem = {
      id,
      name,
      parentId,
      folder,
      content,
      size: size ?? (Buffer.isBuffer(content) ? content.length : 0),
      created: when,
      modified: when,
      version: 1,
      contentVersion: 1,
      guid: guidFrom(`${drive.id}:${itemPath}`),
      seq: ++this.seq,
      uniquePermissions: false,
      permissions: [],
      listItemId: String(list.nextId++)
    };
    drive.items.set(id, item);
    drive.tombstones.delete(id);
    return item;
  }

  childByName(drive: Drive, parentId: string, name: string): DriveItem | undefined {
    const lower = name.toLowerCase();
    for (const it of drive.items.values()) {
      if (it.parentId === parentId && it.name.toLowerCase() === lower) {
        return it;
      }
    }
    return undefined;
  }

  children(drive: Drive, parentId: string): DriveItem[] {
    return [...drive.items.values()].filter((i) => i.parentId === parentId);
  }

  /** "/Folder/File" below the root; '' for the root. */
  pathOf(drive: Drive, itemId: string): string {
    const parts: string[] = [];
    let cur = drive.items.get(itemId);
    while (cur && cur.parentId !== null) {
      parts.unshift(cur.name);
      cur = drive.items.get(cur.parentId);
    }
    return parts.length ? '/' + parts.join('/') : '';
  }

  itemByPath(drive: Drive, p: string): DriveItem | undefined {
    let cur = drive.items.get(drive.rootId);
    for (const part of p.split('/').filter(Boolean)) {
      if (!cur) {
        return undefined;
      }
      cur = this.childByName(drive, cur.id, part);
    }
    return cur;
  }

  /**
   * SharePoint's "stop inheriting": the item's effective permissions are copied onto it as its
   * own (direct, no inheritedFrom) before a direct grant is added.
   */
  breakInheritance(drive: Drive, item: DriveItem): void {
    if (item.uniquePermissions) {
      return;
    }
    const source = this.permissionSource(drive, item);
    item.permissions = source.permissions
      .filter((p) => !p.link)
      .map((p) => ({ ...p, id: permIdFrom(`${item.id}:${p.id}`) }));
    item.uniquePermissions = true;
  }

  /** The nearest item (self or ancestor) whose permissions apply to `item`. */
  permissionSource(drive: Drive, item: DriveItem): DriveItem {
    let cur: DriveItem | undefined = item;
    while (cur && !cur.uniquePermissions && cur.parentId !== null) {
      cur = drive.items.get(cur.parentId);
    }
    return cur ?? drive.items.get(drive.rootId)!;
  }

  userByMail(mail: string): User | undefined {
    const m = mail.toLowerCase();
    for (const u of this.users.values()) {
      if (u.mail === m || u.userPrincipalName === m) {
        return u;
      }
    }
    return undefined;
  }

  userByIdOrUpn(key: string): User | undefined {
    return this.users.get(key) ?? this.users.get(key.toLowerCase()) ?? this.userByMail(key);
  }

  userBySiteId(siteUserId: number): User | undefined {
    for (const u of this.users.values()) {
      if (u.siteUserId === siteUserId) {
        return u;
      }
    }
    return undefined;
  }

  private requireUserByMail(mail: string, where: string): User {
    const u = this.userByMail(mail);
    if (!u) {
      throw new Error(`tenant seed: ${where} names unknown user ${mail}`);
    }
    return u;
  }

  /** Users reachable from a group through nested groups. */
  transitiveMembers(groupId: string, seen = new Set<string>()): string[] {
    const g = this.groups.get(groupId);
    if (!g || seen.has(groupId)) {
      return [];
    }
    seen.add(groupId);
    const out: string[] = [];
    for (const m of g.members) {
      out.push(m);
      if (this.groups.has(m)) {
        out.push(...this.transitiveMembers(m, seen));
      }
    }
    return [...new Set(out)];
  }

  /** Groups an object is a member of, directly or through nesting. */
  transitiveMemberOf(objectId: string): string[] {
    const out = new Set<string>();
    const walk = (id: string): void => {
      for (const g of this.groups.values()) {
        if (g.members.includes(id) && !out.has(g.id)) {
          out.add(g.id);
          walk(g.id);
        }
      }
    };
    walk(objectId);
    return [...out];
  }

  /** The messages of a user's mailbox (created empty on first use). */
  mailboxOf(userId: string): MailboxMessage[] {
    let box = this.mailboxes.get(userId);
    if (!box) {
      box = [];
      this.mailboxes.set(userId, box);
    }
    return box;
  }

  /** Empties the captured mail and every mailbox folder (DELETE /_dev/mail). */
  clearMail(): void {
    this.mail.length = 0;
    this.mailboxes.clear();
  }

  nextSeq(): number {
    return ++this.seq;
  }
}

export function groupFlags(kind: GroupKind): Pick<Group, 'mailEnabled' | 'securityEnabled' | 'groupTypes'> {
  switch (kind) {
    case 'unified':
      return { mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'] };
    case 'security':
      return { mailEnabled: false, securityEnabled: true, groupTypes: [] };
    case 'mailEnabledSecurity':
      return { mailEnabled: true, securityEnabled: true, groupTypes: [] };
    case 'distributionList':
      return { mailEnabled: true, securityEnabled: false, groupTypes: [] };
  }
}

function permId(): string {
  return randomUUID().replace(/-/g, '').toUpperCase().slice(0, 32);
}

function permIdFrom(seed: string): string {
  return guidFrom(seed).replace(/-/g, '').toUpperCase();
}

export { permId as newPermissionId };
