/**
 * A generated tenant of N units × M staff, for benchmarks. Everything is in memory; each staff
 * list is built from the template the first time its content is read.
 */
import { buildStaffWorkbook } from '../../core/staffTemplate';
import type { SeedGroup, SeedUnit, SeedUser, TenantSeed } from './seed';
import {
  ADMIN1, ADMINS_GROUP_ID, DEFAULT_DRIVE_ID, DEFAULT_LIST_ID, FIRST_NAMES, HOSTNAME, JOURLEDARE1, JOURLEDARE_GROUP_ID, LAST_NAMES, MAILBOX,
  OUTSIDER, SITE, SITE_GROUPS, STAFF_DRIVE_ID, STAFF_LIST_ID, TENANT_ID, UNITS_LIST_ID, fictionalPhone, groupId, userId
} from './demoIds';

const AVDELNINGAR = ['Hemtjänst', 'Vård- och omsorgsboende', 'Hälso- och sjukvård'];
const FORMS = ['Tillsvidare', 'Tillsvidare', 'Månadsanställd', 'Timanställd'];

function user(mail: string, displayName: string, jobTitle?: string): SeedUser {
  const [givenName, ...rest] = displayName.split(' ');
  return { id: userId(mail), displayName, givenName, surname: rest.join(' '), mail, jobTitle };
}

export function generateSeed({ units, staff }: { units: number; staff: number }): TenantSeed {
  const users: SeedUser[] = [
    user(MAILBOX, 'Trygghetsjouren'),
    user(JOURLEDARE1, 'Jourledare Ett', 'Jourledare'),
    user(ADMIN1, 'Administratör Ett', 'Administratör'),
    user(OUTSIDER, 'Handläggare Ett', 'Handläggare')
  ];
  const groups: SeedGroup[] = [
    { id: JOURLEDARE_GROUP_ID, displayName: 'jourledare', mailNickname: 'jourledare', kind: 'security', members: [JOURLEDARE1] },
    { id: ADMINS_GROUP_ID, displayName: 'admins', mailNickname: 'admins', kind: 'security', members: [ADMIN1] }
  ];
  const items: SeedUnit[] = [];
  const files: TenantSeed['staffLibrary']['files'] = [];
  const folders: string[] = [];
  for (let i = 1; i <= units; i++) {
    const title = `Enhet ${String(i).padStart(4, '0')}`;
    const managerMail = `chef${i}@goteborg.example`;
    users.push(user(managerMail, `${FIRST_NAMES[i % FIRST_NAMES.length]} ${LAST_NAMES[(i * 7) % LAST_NAMES.length]}`, 'Enhetschef'));
    const dg = `dg.enhet${i}@goteborg.example`;
    groups.push({ id: groupId(`dg-enhet${i}`), displayName: `DG ${title}`, mail: dg, mailNickname: `dg-enhet${i}`, kind: i % 10 === 0 ? 'distributionList' : 'unified', members: [managerMail] });
    items.push({ id: String(i), Title: title, Avdelning: AVDELNINGAR[i % 3], Enhetschef: [managerMail], Tillforordnad: [], DGAdress: dg, Mapp: title, Aktiv: true });
    folders.push(title);
    const n = i;
    files.push({
      path: `${title}/Personallista.xlsx`,
      size: 9000 + staff * 60,
      content: () =>
        buildStaffWorkbook({
          unitName: title,
          staff: Array.from({ length: staff }, (_, k) => ({
            name: `${FIRST_NAMES[(n + k) % FIRST_NAMES.length]} ${LAST_NAMES[(n * 3 + k) % LAST_NAMES.length]}`,
            phone: fictionalPhone(n * staff + k),
            employmentForm: FORMS[(n + k) % FORMS.length]!,
            role: 'Undersköterska'
          })),
          instructions: { kvall: 3, natt: 2, helgdag: 3, cooperatingUnits: [`Enhet ${String((i % units) + 1).padStart(4, '0')}`] }
        })
    });
  }
  return {
    tenantId: TENANT_ID,
    hostname: HOSTNAME,
    site: SITE,
    users,
    groups,
    siteGroups: SITE_GROUPS,
    unitsList: { id: UNITS_LIST_ID, name: 'Enheter', displayName: 'Enheter', items },
    staffLibrary: { listId: STAFF_LIST_ID, driveId: STAFF_DRIVE_ID, name: 'Personallistor', displayName: 'Personallistor', folders, files, grants: [] },
    defaultDrive: { listId: DEFAULT_LIST_ID, driveId: DEFAULT_DRIVE_ID, name: 'Shared Documents', displayName: 'Dokument' }
  };
}
