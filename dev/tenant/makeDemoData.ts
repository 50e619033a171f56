/**
 * Writes the bundled demo tenant: dev/tenant-data/tenant.json and the staff library
 * (dev/tenant-data/Personallistor/<unit folder>/Personallista.xlsx + routine documents).
 * Run: npx tsx dev/tenant/makeDemoData.ts [outDir]
 * Everything is fictional: names, addresses, and phone numbers from PTS's ranges for fiction.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buildStaffWorkbook } from '../../core/staffTemplate';
import type { SeedGrant, SeedGroup, SeedUnit, SeedUser } from './seed';
import {
  ADMIN1, ADMINS_GROUP_ID, DEFAULT_DRIVE_ID, DEFAULT_LIST_ID, FIRST_NAMES, HOSTNAME, JOURLEDARE1, JOURLEDARE2, JOURLEDARE_GROUP_ID,
  JOURLEDARE_NATT_GROUP_ID, LAST_NAMES, MAILBOX, OUTSIDER, SITE, SITE_GROUPS, STAFF_DRIVE_ID, STAFF_LIST_ID, TENANT_ID, UNITS_LIST_ID,
  fictionalPhone, groupId, userId
} from './demoIds';
import type { GroupKind } from './seed';

type Form = 'Tillsvidare' | 'Månadsanställd' | 'Timanställd';
interface StaffRow { name: string; phone?: string; employmentForm: string; role?: string; notes?: string }

interface DemoUnit {
  title: string;
  avdelning: string;
  managers: string[];
  acting?: string[];
  actingUntil?: string;
  dg?: { mail: string; kind: GroupKind };
  aktiv?: boolean;
  staffCount?: number;
  /** No Personallista.xlsx in the folder. */
  noStaffList?: boolean;
  brokenRows?: boolean;
  cooperating: string[];
  min: { kvall: number; natt: number; helgdag: number };
  freeText?: string;
  routines?: string[];
  role: string;
}

const mail = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, '.') + '@goteborg.example';

const MANAGERS = {
  anna: 'Anna Lindqvist',
  johan: 'Johan Berg',
  sara: 'Sara Holm',
  lars: 'Lars Nyström',
  maria: 'Maria Ekström',
  per: 'Per Sandberg',
  eva: 'Eva Sjöberg',
  henrik: 'Henrik Lund',
  ingrid: 'Ingrid Holmberg',
  kerstin: 'Kerstin Wallin',
  mikael: 'Mikael Strand',
  amira: 'Amira Haddad',
  ulf: 'Ulf Björk',
  omar: 'Omar Ahmadi'
};

export const DEMO_UNITS: DemoUnit[] = [
  {
    title: 'Hemtjänst Majorna',
    avdelning: 'Hemtjänst',
    managers: [MANAGERS.anna],
    dg: { mail: 'hemtjanst.majorna@goteborg.example', kind: 'unified' },
    staffCount: 16,
    cooperating: ['Hemtjänst Linné', 'Hemtjänst Masthugget'],
    min: { kvall: 4, natt: 2, helgdag: 4 },
    freeText: 'Nyckelskåpet finns i personalrummet, kod hos jourledaren.',
    routines: ['Nyckelrutin.pdf', 'Rutin vid frånvaro.txt'],
    role: 'Undersköterska'
  },
  {
    title: 'Hemtjänst Linné',
    avdelning: 'Hemtjänst',
    // Anna Lindqvist is manager of two units.
    managers: [MANAGERS.anna],
    dg: { mail: 'hemtjanst.linne@goteborg.example', kind: 'unified' },
    staffCount: 12,
    cooperating: ['Hemtjänst Majorna'],
    min: { kvall: 3, natt: 1, helgdag: 3 },
    role: 'Undersköterska'
  },
  {
    title: 'Hemtjänst Masthugget',
    avdelning: 'Hemtjänst',
    managers: [MANAGERS.johan],
    // Acting manager with an end date.
    acting: [MANAGERS.sara],
    actingUntil: '2026-08-31',
    // The DG group is an Exchange distribution list: Graph cannot change its members.
    dg: { mail: 'hemtjanst.masthugget@goteborg.example', kind: 'distributionList' },
    staffCount: 14,
    cooperating: ['Hemtjänst Majorna', 'Hemtjänst Linné'],
    min: { kvall: 3, natt: 2, helgdag: 3 },
    routines: ['Nyckelrutin.pdf'],
    role: 'Undersköterska'
  },
  {
    title: 'Hemtjänst Kortedala',
    avdelning: 'Hemtjänst',
    managers: [MANAGERS.lars],
    // No DG address.
    staffCount: 10,
    cooperating: ['Hemtjänst Bergsjön'],
    min: { kvall: 3, natt: 1, helgdag: 3 },
    role: 'Undersköterska'
  },
  {
    title: 'Hemtjänst Biskopsgården',
    avdelning: 'Hemtjänst',
    managers: [MANAGERS.maria],
    dg: { mail: 'hemtjanst.biskopsgarden@goteborg.example', kind: 'unified' },
    staffCount: 12,
    // The staff list has broken rows.
    brokenRows: true,
    cooperating: ['Hemtjänst Kortedala', 'Okänd enhet Tuve'],
    min: { kvall: 4, natt: 2, helgdag: 4 },
    role: 'Undersköterska'
  },
  {
    title: 'Vård- och omsorgsboende Kärralund',
    avdelning: 'Vård- och omsorgsboende',
    managers: [MANAGERS.per],
    // Mail-enabled security group: read-only through Graph as well.
    dg: { mail: 'vob.karralund@goteborg.example', kind: 'mailEnabledSecurity' },
    staffCount: 20,
    cooperating: ['Vård- och omsorgsboende Fräntorp'],
    min: { kvall: 6, natt: 3, helgdag: 6 },
    freeText: 'Avdelning 2 har en brukare som behöver två personal vid förflyttning.',
    routines: ['Instruktion brukare avdelning 2.txt'],
    role: 'Undersköterska'
  },
  {
    title: 'Vård- och omsorgsboende Fräntorp',
    avdelning: 'Vård- och omsorgsboende',
    managers: [MANAGERS.eva, MANAGERS.henrik],
    dg: { mail: 'vob.frantorp@goteborg.example', kind: 'unified' },
    staffCount: 18,
    cooperating: ['Vård- och omsorgsboende Kärralund', 'Vård- och omsorgsboende Lerjedalen'],
    min: { kvall: 5, natt: 3, helgdag: 5 },
    routines: ['Nyckelrutin.pdf', 'Rutin vid frånvaro.txt'],
    role: 'Undersköterska'
  },
  {
    title: 'Vård- och omsorgsboende Högsbohöjd',
    avdelning: 'Vård- och omsorgsboende',
    managers: [MANAGERS.henrik],
    dg: { mail: 'vob.hogsbohojd@goteborg.example', kind: 'unified' },
    // A unit with no staff list (only a routine document in the folder).
    noStaffList: true,
    cooperating: [],
    min: { kvall: 5, natt: 2, helgdag: 5 },
    routines: ['Rutin vid frånvaro.txt'],
    role: 'Undersköterska'
  },
  {
    title: 'Vård- och omsorgsboende Lerjedalen',
    avdelning: 'Vård- och omsorgsboende',
    managers: [MANAGERS.ingrid],
    dg: { mail: 'vob.lerjedalen@goteborg.example', kind: 'unified' },
    staffCount: 15,
    cooperating: ['Vård- och omsorgsboende Fräntorp'],
    min: { kvall: 4, natt: 2, helgdag: 4 },
    role: 'Undersköterska'
  },
  {
    title: 'Sjuksköterskor Centrum',
    avdelning: 'Hälso- och sjukvård',
    managers: [MANAGERS.kerstin],
    dg: { mail: 'ssk.centrum@goteborg.example', kind: 'unified' },
    staffCount: 10,
    cooperating: ['Sjuksköterskor Hisingen'],
    min: { kvall: 2, natt: 1, helgdag: 2 },
    freeText: 'Medicinska frågor går till kollegor eller jourhavande läkare, inte till Trygghetsjouren.',
    role: 'Sjuksköterska'
  },
  {
    title: 'Sjuksköterskor Hisingen',
    avdelning: 'Hälso- och sjukvård',
    managers: [MANAGERS.mikael],
    // Acting manager without an end date.
    acting: [MANAGERS.amira],
    dg: { mail: 'ssk.hisingen@goteborg.example', kind: 'unified' },
    staffCount: 9,
    cooperating: ['Sjuksköterskor Centrum', 'Sjuksköterskor Nordost'],
    min: { kvall: 2, natt: 1, helgdag: 2 },
    role: 'Sjuksköterska'
  },
  {
    title: 'Sjuksköterskor Nordost',
    avdelning: 'Hälso- och sjukvård',
    managers: [MANAGERS.ulf],
    dg: { mail: 'ssk.nordost@goteborg.example', kind: 'unified' },
    staffCount: 8,
    cooperating: ['Sjuksköterskor Hisingen'],
    min: { kvall: 2, natt: 1, helgdag: 2 },
    role: 'Sjuksköterska'
  },
  {
    title: 'Hemtjänst Bergsjön',
    avdelning: 'Hemtjänst',
    managers: [MANAGERS.omar],
    dg: { mail: 'hemtjanst.bergsjon@goteborg.example', kind: 'unified' },
    staffCount: 11,
    cooperating: ['Hemtjänst Kortedala'],
    min: { kvall: 3, natt: 1, helgdag: 3 },
    role: 'Undersköterska'
  },
  {
    title: 'Vård- och omsorgsboende Gamlestaden',
    avdelning: 'Vård- och omsorgsboende',
    managers: [MANAGERS.ingrid],
    dg: { mail: 'vob.gamlestaden@goteborg.example', kind: 'unified' },
    // Closed down: inactive in the list, folder kept.
    aktiv: false,
    staffCount: 8,
    cooperating: [],
    min: { kvall: 3, natt: 1, helgdag: 3 },
    role: 'Undersköterska'
  }
];

/** Not a manager; has a hand-made write grant on Kärralund's folder. */
export const HANDMADE_GRANTEE = 'Karin Dahl';

const FORMS: Form[] = ['Tillsvidare', 'Tillsvidare', 'Månadsanställd', 'Tillsvidare', 'Timanställd', 'Månadsanställd', 'Timanställd'];

function staffFor(unitIndex: number, u: DemoUnit, phoneBase: number): StaffRow[] {
  const rows: StaffRow[] = [];
  for (let k = 0; k < (u.staffCount ?? 0); k++) {
    const first = FIRST_NAMES[(unitIndex * 11 + k * 7) % FIRST_NAMES.length]!;
    const last = LAST_NAMES[(unitIndex * 13 + k * 5) % LAST_NAMES.length]!;
    const form = FORMS[(unitIndex + k) % FORMS.length]!;
    rows.push({
      name: `${first} ${last}`,
      phone: k % 9 === 8 ? undefined : fictionalPhone(phoneBase + k),
      employmentForm: form,
      role: k === 0 && u.role === 'Undersköterska' ? 'Samordnare' : u.role,
      notes: k % 6 === 3 ? 'Kör inte bil' : k % 6 === 5 ? 'Bara natt' : undefined
    });
  }
  if (u.brokenRows) {
    rows.splice(3, 0, { name: '', phone: fictionalPhone(phoneBase + 40), employmentForm: 'Tillsvidare', role: 'Undersköterska' });
    rows.splice(5, 0, { name: 'Greta Johansson', phone: 'saknas', employmentForm: 'Vikarie' });
    rows.splice(7, 0, { name: '  petra   SVENSSON ', phone: '0701740699', employmentForm: 'tillsvidare' });
    rows.push({ name: rows[1]!.name, phone: rows[1]!.phone, employmentForm: 'Timanställd', notes: 'Dubblett?' });
    rows.push({ name: 'Bertil Olsson', phone: '+46 70 174 06 98', employmentForm: '' });
  }
  return rows;
}

function pdf(title: string, lines: string[]): Buffer {
  // A minimal one-page PDF (ASCII text only; å/ä/ö are written without diacritics).
  const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[()\\]/g, '');
  const text = [title, '', ...lines].map((l, i) => `BT /F1 12 Tf 50 ${780 - i * 18} Td (${ascii(l)}) Tj ET`).join('\n');
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => String(o).padStart(10, '0') + ' 00000 n \n').join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function routine(name: string, unit: string): Buffer {
  if (name === 'Nyckelrutin.pdf') {
    return pdf(`Nyckelrutin - ${unit}`, ['Nycklar till brukare finns i det laste nyckelskapet.', 'Kvittera ut och in nycklar i parmen.', 'Tappad nyckel: ring jourledaren direkt.']);
  }
  if (name === 'Rutin vid frånvaro.txt') {
    return Buffer.from(`Rutin vid frånvaro – ${unit}\n\n1. Sjukanmälan görs till enheten före kl. 07 eller till Trygghetsjouren under jourtid.\n2. Jourledaren beordrar in tillsvidare- eller månadsanställd personal.\n3. Frågor om ersättning går till enhetschefen.\n`, 'utf8');
  }
  return Buffer.from(`Instruktion – ${unit}\n\nBrukaren på rum 12 behöver två personal vid förflyttning. Larmet testas varje kväll kl. 21.\n`, 'utf8');
}

export async function makeDemoData(outDir: string): Promise<void> {
  const libDir = path.join(outDir, 'Personallistor');
  await fs.rm(libDir, { recursive: true, force: true });
  await fs.mkdir(libDir, { recursive: true });

  const users: SeedUser[] = [];
  const addUser = (displayName: string, m: string, jobTitle?: string): void => {
    if (users.some((u) => u.mail === m)) {
      return;
    }
    const [givenName, ...rest] = displayName.split(' ');
    users.push({ id: userId(m), displayName, givenName, surname: rest.join(' ') || undefined, mail: m, jobTitle });
  };
  addUser('Trygghetsjouren', MAILBOX, 'Delad brevlåda');
  addUser('Jourledare Ett', JOURLEDARE1, 'Jourledare');
  addUser('Jourledare Två', JOURLEDARE2, 'Jourledare');
  addUser('Administratör Ett', ADMIN1, 'Administratör');
  addUser('Handläggare Ett', OUTSIDER, 'Handläggare');
  for (const name of Object.values(MANAGERS)) {
    addUser(name, mail(name), 'Enhetschef');
  }
  addUser(HANDMADE_GRANTEE, mail(HANDMADE_GRANTEE), 'Samordnare');

  const groups: SeedGroup[] = [
    { id: JOURLEDARE_GROUP_ID, displayName: 'jourledare', mailNickname: 'jourledare', kind: 'security', description: 'Får använda inkallelseflödet', members: [JOURLEDARE1, JOURLEDARE_NATT_GROUP_ID] },
    { id: JOURLEDARE_NATT_GROUP_ID, displayName: 'jourledare-natt', mailNickname: 'jourledare-natt', kind: 'security', description: 'Nattens jourledare (nästlad i jourledare)', members: [JOURLEDARE2] },
    { id: ADMINS_GROUP_ID, displayName: 'admins', mailNickname: 'admins', kind: 'security', description: 'Trygghetsjourens administratörer', members: [ADMIN1] }
  ];
  const items: SeedUnit[] = [];
  const grants: SeedGrant[] = [];
  let phoneBase = 0;
  for (const [i, u] of DEMO_UNITS.entries()) {
    const folder = u.title;
    await fs.mkdir(path.join(libDir, folder), { recursive: true });
    if (u.dg) {
      const nick = u.dg.mail.split('@')[0]!.replace(/\./g, '-');
      groups.push({ id: groupId(nick), displayName: `DG ${u.title}`, mail: u.dg.mail, mailNickname: nick, kind: u.dg.kind, members: u.managers.map(mail) });
    }
    items.push({
      id: String(i + 1),
      Title: u.title,
      Avdelning: u.avdelning,
      Enhetschef: u.managers.map(mail),
      Tillforordnad: (u.acting ?? []).map(mail),
      TillforordnadTom: u.actingUntil,
      DGAdress: u.dg?.mail,
      Mapp: folder,
      Aktiv: u.aktiv ?? true
    });
    if (!u.noStaffList) {
      const staff = staffFor(i, u, phoneBase);
      phoneBase += staff.length;
      const xlsx = await buildStaffWorkbook({
        unitName: u.title,
        staff,
        instructions: { ...u.min, cooperatingUnits: u.cooperating, freeText: u.freeText }
      });
      await fs.writeFile(path.join(libDir, folder, 'Personallista.xlsx'), xlsx);
    }
    for (const r of u.routines ?? []) {
      await fs.writeFile(path.join(libDir, folder, r), routine(r, u.title));
    }
  }
  // A hand-made grant to someone who is not a manager, and a sharing link.
  grants.push({ path: 'Vård- och omsorgsboende Kärralund', user: mail(HANDMADE_GRANTEE), roles: ['write'] });
  grants.push({ path: 'Vård- och omsorgsboende Fräntorp/Nyckelrutin.pdf', link: { type: 'view', scope: 'organization' }, roles: ['read'] });

  const tenant = {
    $comment: 'Generated by dev/tenant/makeDemoData.ts; see README.md. All people and numbers are fictional.',
    tenantId: TENANT_ID,
    hostname: HOSTNAME,
    site: SITE,
    users,
    groups,
    siteGroups: SITE_GROUPS,
    unitsList: { id: UNITS_LIST_ID, name: 'Enheter', displayName: 'Enheter', items },
    staffLibrary: { listId: STAFF_LIST_ID, driveId: STAFF_DRIVE_ID, name: 'Personallistor', displayName: 'Personallistor', folder: 'Personallistor', grants },
    defaultDrive: { listId: DEFAULT_LIST_ID, driveId: DEFAULT_DRIVE_ID, name: 'Shared Documents', displayName: 'Dokument' }
  };
  await fs.writeFile(path.join(outDir, 'tenant.json'), JSON.stringify(tenant, null, 2) + '\n');
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'tenant-data'));
  makeDemoData(out).then(
    () => console.log(`Wrote the demo tenant to ${out}`),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    }
  );
}
