/** Stable ids of the demo and generated tenants (documented in dev/tenant-data/README.md). */
import { guidFrom } from './http';

export const HOSTNAME = 'goteborg.sharepoint.example';
export const TENANT_ID = guidFrom('tenant:goteborg');
export const SITE = { name: 'trygghetsjouren', displayName: 'Trygghetsjouren', collectionId: guidFrom('site:collection'), webId: guidFrom('site:web') };
export const UNITS_LIST_ID = guidFrom('list:Enheter');
export const STAFF_LIST_ID = guidFrom('list:Personallistor');
export const STAFF_DRIVE_ID = 'b!' + Buffer.from(guidFrom('drive:Personallistor').replace(/-/g, ''), 'hex').toString('base64url') + 'PersonallistorLib0';
export const DEFAULT_LIST_ID = guidFrom('list:Dokument');
export const DEFAULT_DRIVE_ID = 'b!' + Buffer.from(guidFrom('drive:Dokument').replace(/-/g, ''), 'hex').toString('base64url') + 'DokumentLib000000';

export const MAILBOX = 'trygghetsjouren@goteborg.example';
export const JOURLEDARE1 = 'jourledare1@goteborg.example';
export const JOURLEDARE2 = 'jourledare2@goteborg.example';
export const ADMIN1 = 'admin1@goteborg.example';
/** A user in no group: the bot must refuse them. */
export const OUTSIDER = 'handlaggare1@goteborg.example';

export const userId = (mail: string): string => guidFrom(`user:${mail.toLowerCase()}`);
export const groupId = (nick: string): string => guidFrom(`group:${nick.toLowerCase()}`);

export const JOURLEDARE_GROUP_ID = groupId('jourledare');
export const JOURLEDARE_NATT_GROUP_ID = groupId('jourledare-natt');
export const ADMINS_GROUP_ID = groupId('admins');

export const SITE_GROUPS = [
  { id: 3, displayName: 'Trygghetsjouren Owners', roles: ['owner'] },
  { id: 4, displayName: 'Trygghetsjouren Members', roles: ['write'] },
  { id: 5, displayName: 'Trygghetsjouren Visitors', roles: ['read'] }
];

export const FIRST_NAMES = [
  'Anna', 'Eva', 'Maria', 'Karin', 'Sara', 'Lena', 'Emma', 'Kerstin', 'Ingrid', 'Marie', 'Malin', 'Jenny', 'Hanna', 'Linda', 'Elin',
  'Sofia', 'Ida', 'Johanna', 'Amira', 'Fatima', 'Leila', 'Nadia', 'Selma', 'Wilma', 'Alva',
  'Erik', 'Lars', 'Karl', 'Anders', 'Johan', 'Per', 'Mikael', 'Jan', 'Hans', 'Peter', 'Thomas', 'Daniel', 'Fredrik', 'Ali', 'Omar',
  'Mehmet', 'Yusuf', 'Elias', 'Oskar', 'Viktor', 'Henrik', 'Ulf', 'Mattias', 'Jonas', 'Nils'
];
export const LAST_NAMES = [
  'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Pettersson',
  'Jonsson', 'Jansson', 'Hansson', 'Bengtsson', 'Jönsson', 'Lindberg', 'Jakobsson', 'Magnusson', 'Olofsson', 'Lindström', 'Lindqvist',
  'Lindgren', 'Berg', 'Axelsson', 'Bergström', 'Lundberg', 'Lind', 'Lundgren', 'Lundqvist', 'Mattsson', 'Berglund', 'Fredriksson',
  'Sandberg', 'Henriksson', 'Forsberg', 'Sjöberg', 'Wallin', 'Engström', 'Danielsson', 'Håkansson', 'Eklund', 'Lundin', 'Gunnarsson',
  'Holm', 'Samuelsson', 'Fransson', 'Bergqvist', 'Nyström', 'Holmberg', 'Hassan', 'Yilmaz', 'Ahmadi', 'Novak', 'Haddad'
];

/**
 * Phone numbers from the ranges the Swedish Post and Telecom Authority (PTS) reserves for fiction:
 * 070-174 06 05 … 070-174 06 99 and 031-390 69 00 … 031-390 69 99.
 */
export function fictionalPhone(n: number): string {
  const i = n % 195;
  if (i < 95) {
    return `070-174 06 ${String(5 + i).padStart(2, '0')}`;
  }
  return `031-390 69 ${String(i - 95).padStart(2, '0')}`;
}
