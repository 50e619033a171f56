/**
 * THE staff-list template (Personallista-mall.xlsx) and demo workbooks built from it.
 *
 * Layout (the parser in core/staffList.ts reads this, and is tolerant of variations):
 * - sheet "Personal": row 1 headers Namn | Telefon | Anställningsform | Roll | Anteckningar,
 *   one person per row from row 2; a dropdown (Tillsvidare, Månadsanställd, Timanställd) on the
 *   employment column.
 * - sheet "Instruktioner": label in column A, value in column B:
 *   "Enhet", "Minimibemanning kväll", "Minimibemanning natt", "Minimibemanning helgdag",
 *   "Samarbetande enheter" (one unit name per row in column B, starting on the label's row and
 *   continuing on the rows below with column A empty), "Övrigt".
 * - sheet "Så här gör du": a short how-to in Swedish.
 */
import ExcelJS from 'exceljs';

export const STAFF_SHEET = 'Personal';
export const INSTRUCTIONS_SHEET = 'Instruktioner';
export const HOWTO_SHEET = 'Så här gör du';

export const STAFF_HEADERS = ['Namn', 'Telefon', 'Anställningsform', 'Roll', 'Anteckningar'] as const;
export const EMPLOYMENT_CHOICES = ['Tillsvidare', 'Månadsanställd', 'Timanställd'] as const;

export const INSTRUCTION_LABELS = {
  unitName: 'Enhet',
  kvall: 'Minimibemanning kväll',
  natt: 'Minimibemanning natt',
  helgdag: 'Minimibemanning helgdag',
  cooperatingUnits: 'Samarbetande enheter',
  freeText: 'Övrigt'
} as const;

/** Rows with the dropdown in the empty template (and at least this many past the last person). */
const VALIDATED_ROWS = 500;
/** Rows kept for cooperating units in the template so a manager need not insert rows. */
const COOPERATING_ROWS = 8;

export interface StaffWorkbookInput {
  unitName?: string;
  staff: Array<{ name: string; phone?: string; employmentForm: string; role?: string; notes?: string }>;
  instructions?: {
    kvall?: number;
    natt?: number;
    helgdag?: number;
    cooperatingUnits?: string[];
    freeText?: string;
  };
}

export const HOWTO_LINES: readonly string[] = [
  'Personallista till Trygghetsjouren – så här gör du',
  '',
  'Trygghetsjouren använder listan när någon behöver beordras in på kvällar, nätter och helger (jourtid).',
  'Håll listan aktuell: lägg till nya medarbetare och ta bort dem som slutat.',
  '',
  'Fliken "Personal"',
  '• En medarbetare per rad, med början på rad 2. Ändra inte rubrikerna på rad 1.',
  '• Namn: för- och efternamn, som kollegorna känner personen.',
  '• Telefon: mobilnummer, t.ex. 070-123 45 67.',
  '• Anställningsform: välj Tillsvidare, Månadsanställd eller Timanställd i listan.',
  '  Bara tillsvidare- och månadsanställda kan beordras in. Timanställda bokar ni själva.',
  '• Roll och Anteckningar är frivilliga (t.ex. undersköterska, kör inte bil, bara natt).',
  '',
  'Fliken "Instruktioner"',
  '• Enhet: enhetens namn.',
  '• Minimibemanning kväll, natt och helgdag: antal personer som minst ska arbeta (en siffra).',
  '• Samarbetande enheter: en enhet per rad i kolumn B, med början på raden "Samarbetande enheter"',
  '  och vidare nedåt. Skriv enheternas namn som i Trygghetsjourens enhetslista, i den ordning',
  '  Trygghetsjouren ska fråga dem. Behövs fler rader: infoga rader ovanför "Övrigt".',
  '• Övrigt: annat Trygghetsjouren behöver veta.',
  '',
  'Spara filen i enhetens mapp i Trygghetsjourens SharePoint. Byt inte namn på flikarna.',
  'Frågor om ersättning hanteras av enhetschefen enligt gällande avtal, inte av Trygghetsjouren.'
];

/** Builds a staff workbook in the template layout. `{ staff: [] }` gives the empty template. */
export async function buildStaffWorkbook(input: StaffWorkbookInput): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Trygghetsjouren';
  wb.title = input.unitName ? `Personallista ${input.unitName}` : 'Personallista';

  // --- Personal
  const staffWs = wb.addWorksheet(STAFF_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  staffWs.columns = [
    { header: STAFF_HEADERS[0], key: 'name', width: 30 },
    { header: STAFF_HEADERS[1], key: 'phone', width: 18 },
    { header: STAFF_HEADERS[2], key: 'employmentForm', width: 20 },
    { header: STAFF_HEADERS[3], key: 'role', width: 22 },
    { header: STAFF_HEADERS[4], key: 'notes', width: 40 }
  ];
  staffWs.getRow(1).font = { bold: true };
  for (const p of input.staff) {
    staffWs.addRow({
      name: p.name,
      // Text, so a leading 0 survives in Excel.
      phone: p.phone ?? null,
      employmentForm: p.employmentForm,
      role: p.role ?? null,
      notes: p.notes ?? null
    });
  }
  staffWs.getColumn(2).numFmt = '@';
  const lastValidated = Math.max(VALIDATED_ROWS, input.staff.length + 100) + 1;
  for (let r = 2; r <= lastValidated; r++) {
    staffWs.getCell(r, 3).dataValidation = {
      type: 'list',
      allowBlank: true,
      formulae: [`"${EMPLOYMENT_CHOICES.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'warning',
      errorTitle: 'Anställningsform',
      error: 'Välj Tillsvidare, Månadsanställd eller Timanställd.'
    };
  }

  // --- Instruktioner
  const ins = input.instructions ?? {};
  const insWs = wb.addWorksheet(INSTRUCTIONS_SHEET);
  insWs.getColumn(1).width = 28;
  insWs.getColumn(2).width = 50;
  insWs.addRow(['Instruktioner till Trygghetsjouren']).font = { bold: true };
  insWs.addRow([INSTRUCTION_LABELS.unitName, input.unitName ?? null]);
  const numberRows: number[] = [];
  for (const key of ['kvall', 'natt', 'helgdag'] as const) {
    numberRows.push(insWs.addRow([INSTRUCTION_LABELS[key], ins[key] ?? null]).number);
  }
  for (const r of numberRows) {
    insWs.getCell(r, 2).dataValidation = {
      type: 'whole',
      operator: 'greaterThanOrEqual',
      allowBlank: true,
      formulae: [0],
      showErrorMessage: true,
      errorStyle: 'warning',
      errorTitle: 'Minimibemanning',
      error: 'Skriv antal personer som en siffra, t.ex. 2.'
    };
  }
  const coop = ins.cooperatingUnits ?? [];
  const coopRows = Math.max(COOPERATING_ROWS, coop.length);
  for (let i = 0; i < coopRows; i++) {
    insWs.addRow([i === 0 ? INSTRUCTION_LABELS.cooperatingUnits : null, coop[i] ?? null]);
  }
  const freeRow = insWs.addRow([INSTRUCTION_LABELS.freeText, ins.freeText ?? null]);
  freeRow.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  for (let r = 2; r <= insWs.rowCount; r++) {
    insWs.getCell(r, 1).font = { bold: true };
  }

  // --- Så här gör du
  const howWs = wb.addWorksheet(HOWTO_SHEET);
  howWs.getColumn(1).width = 110;
  for (const line of HOWTO_LINES) {
    howWs.addRow([line]);
  }
  howWs.getRow(1).font = { bold: true, size: 14 };

  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
