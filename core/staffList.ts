/**
 * Parser for a unit's staff workbook (the template in core/staffTemplate.ts, as filled in by hand).
 *
 * Tolerant: sheet and header names are matched without regard to case, spacing, punctuation or
 * diacritics, with common synonyms; the header row may be anywhere in the first rows; formulas
 * give their cached result; merged cells give the merged value. Every row that cannot be used is
 * reported with its row number and a Swedish reason. Never throws: a file that cannot be used at
 * all comes back with `unusable: true` and a problem saying why.
 */
import ExcelJS from 'exceljs';
import type { EmploymentForm, ParseProblem, StaffList, StaffMember, UnitInstructions } from './model';
import { normalizeName, staffId } from './names';
import { normalizePhone } from './phone';
import { INSTRUCTIONS_SHEET, STAFF_SHEET } from './staffTemplate';

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_ROWS = 5000;
/** Limit on the unpacked size of the workbook (a small zip can unpack to gigabytes). */
export const DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024;
/** How far down the header row is looked for. */
const HEADER_SCAN_ROWS = 30;
export const MAX_NAME_LENGTH = 100;
export const MAX_TEXT_LENGTH = 500;
export const MAX_FREE_TEXT_LENGTH = 4000;

export interface KnownUnit {
  id?: string;
  name: string;
}

export interface StaffListParseOptions {
  maxBytes?: number;
  maxRows?: number;
  maxUnpackedBytes?: number;
  /** Units from the units list, to match the cooperating units against. Omitted: no matching. */
  knownUnits?: Array<string | KnownUnit>;
}

export interface CooperatingMatch {
  /** As written in the workbook. */
  name: string;
  /** As in the units list. */
  unitName: string;
  unitId?: string;
}

export interface ParsedStaffList extends StaffList {
  /** "Enhet" from the instructions sheet, when filled in. */
  unitName?: string;
  /**
   * The cooperating units matched against `knownUnits`, in listed order. Without `knownUnits`
   * both arrays are empty (nothing to match against); `instructions.cooperatingUnits` has the names.
   */
  cooperating: { matched: CooperatingMatch[]; unmatched: string[] };
}

/* ------------------------------------------------------------------ cell values */

type CellKind = 'empty' | 'text' | 'number' | 'boolean' | 'date' | 'error';
interface CellVal {
  kind: CellKind;
  text: string;
  num?: number;
  /** A formula whose result was not saved with the file. */
  noResult?: boolean;
}

const EMPTY: CellVal = { kind: 'empty', text: '' };

function plain(v: unknown): CellVal {
  if (v == null) {
    return EMPTY;
  }
  if (typeof v === 'string') {
    const t = v.replace(/\u00a0/g, ' ').trim();
    return t === '' ? EMPTY : { kind: 'text', text: t };
  }
  if (typeof v === 'number') {
    return Number.isFinite(v) ? { kind: 'number', text: String(v), num: v } : { kind: 'error', text: String(v) };
  }
  if (typeof v === 'boolean') {
    return { kind: 'boolean', text: v ? 'SANT' : 'FALSKT' };
  }
  if (v instanceof Date) {
    return { kind: 'date', text: Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10) };
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('formula' in o || 'sharedFormula' in o) {
      if (o.result === undefined) {
        return { kind: 'empty', text: '', noResult: true };
      }
      return plain(o.result);
    }
    if (Array.isArray(o.richText)) {
      return plain((o.richText as Array<{ text?: unknown }>).map((r) => String(r.text ?? '')).join(''));
    }
    if ('error' in o) {
      return { kind: 'error', text: String(o.error) };
    }
    if ('text' in o) {
      // Hyperlink cell ({ text, hyperlink }); text may itself be rich text.
      return plain(o.text);
    }
  }
  return { kind: 'error', text: '' };
}

function cellVal(ws: ExcelJS.Worksheet, row: number, col: number): CellVal {
  try {
    return plain(ws.getCell(row, col).value);
  } catch {
    /* c8 ignore next 2 -- exceljs getters throw only on corrupt models */
    return { kind: 'error', text: '' };
  }
}

/** Key for comparing labels: normalised, without spaces and punctuation. */
function key(s: string): string {
  return normalizeName(s).replace(/[^a-z0-9]/g, '');
}

/* ------------------------------------------------------------------ headers */

type Field = 'name' | 'firstName' | 'lastName' | 'phone' | 'employment' | 'role' | 'notes';

const HEADER_SYNONYMS: Record<Field, string[]> = {
  name: ['namn', 'fulltnamn', 'fullstandigtnamn', 'medarbetare', 'medarbetarensnamn', 'name', 'personnamn', 'fornamnochefternamn', 'efternamnochfornamn', 'namnpamedarbetare'],
  firstName: ['fornamn', 'firstname', 'tilltalsnamn'],
  lastName: ['efternamn', 'lastname', 'surname'],
  phone: ['telefon', 'tel', 'telnr', 'telefonnr', 'telefonnummer', 'tfn', 'tfnnr', 'mobil', 'mobilnr', 'mobilnummer', 'mobiltelefon', 'mobiltel', 'phone', 'mobile', 'nummer', 'kontakt'],
  employment: ['anstallningsform', 'anstallning', 'anstform', 'anstallningstyp', 'anstalld', 'anstallningsformtillsvidaremanadsanstalldtimanstalld', 'form', 'anstalln', 'anst', 'employment'],
  role: ['roll', 'befattning', 'yrke', 'yrkesroll', 'titel', 'tjanst', 'role'],
  notes: ['anteckningar', 'anteckning', 'kommentar', 'kommentarer', 'noteringar', 'notering', 'ovrigt', 'info', 'information', 'notes']
};

function headerField(text: string): Field | undefined {
  const k = key(text);
  if (k === '') {
    return undefined;
  }
  for (const f of Object.keys(HEADER_SYNONYMS) as Field[]) {
    if (HEADER_SYNONYMS[f].includes(k)) {
      return f;
    }
  }
  // Prefixes catch "Anställningsform (välj i listan)", "Telefon arbete", "Mobilnummer privat".
  if (k.startsWith('anstallning') || k.startsWith('anstform')) {
    return 'employment';
  }
  if (k.startsWith('telefon') || k.startsWith('mobil')) {
    return 'phone';
  }
  if (k.startsWith('namn')) {
    return 'name';
  }
  return undefined;
}

interface HeaderMap {
  row: number;
  cols: Partial<Record<Field, number>>;
}

function findHeader(ws: ExcelJS.Worksheet): HeaderMap | undefined {
  const lastRow = Math.min(ws.rowCount, HEADER_SCAN_ROWS);
  const lastCol = Math.min(Math.max(ws.columnCount, 1), 50);
  let fallback: HeaderMap | undefined;
  for (let r = 1; r <= lastRow; r++) {
    const cols: Partial<Record<Field, number>> = {};
    for (let c = 1; c <= lastCol; c++) {
      const v = cellVal(ws, r, c);
      if (v.kind !== 'text') {
        continue;
      }
      const f = headerField(v.text);
      // First occurrence wins: a header merged over two columns repeats in the second.
      if (f && cols[f] === undefined) {
        cols[f] = c;
      }
    }
    const hasName = cols.name !== undefined || (cols.firstName !== undefined && cols.lastName !== undefined);
    if (hasName && cols.employment !== undefined) {
      return { row: r, cols };
    }
    if (hasName && (cols.phone !== undefined || cols.role !== undefined) && !fallback) {
      fallback = { row: r, cols };
    }
  }
  return fallback;
}

/* ------------------------------------------------------------------ employment form */

const EMPLOYMENT: Array<[EmploymentForm, string[]]> = [
  ['Tillsvidare', ['tillsvidare', 'tillsvidareanstalld', 'tillsvidareanstallning', 'tv', 'tsv', 'tillsv', 'fast', 'fastanstalld', 'fastanstallning', 'tills']],
  ['Månadsanställd', ['manadsanstalld', 'manadsanstallning', 'manad', 'manads', 'manadsanst', 'manadsvikarie', 'manadsvik', 'manadsavlonad', 'ma', 'mv']],
  ['Timanställd', ['timanstalld', 'timanstallning', 'timvikarie', 'timvik', 'tim', 'timme', 'timmar', 'timavlonad', 'timanst', 'ta', 'timvikariat', 'behovsanstalld', 'intermittent']]
];

/**
 * Reads an employment form as written in a list. Undefined when unrecognised. Ambiguous words
 * ("vikarie", "visstid", "ordinarie") are deliberately not recognised: ordering in someone who may
 * not be ordered in is the mistake this list exists to prevent, so the manager is asked to fix it.
 */
export function parseEmploymentForm(text: string): EmploymentForm | undefined {
  const k = key(text);
  if (k === '') {
    return undefined;
  }
  for (const [form, words] of EMPLOYMENT) {
    if (words.includes(k)) {
      return form;
    }
  }
  if (k.startsWith('tillsvidare')) {
    return 'Tillsvidare';
  }
  if (k.startsWith('manad')) {
    return 'Månadsanställd';
  }
  if (k.startsWith('tim')) {
    return 'Timanställd';
  }
  return undefined;
}

/* ------------------------------------------------------------------ sheets */

const STAFF_SHEET_KEYS = [key(STAFF_SHEET), 'personallista', 'personalista', 'medarbetare', 'medarbetarlista', 'staff', 'personalen', 'lista'];
const INSTRUCTION_SHEET_KEYS = [key(INSTRUCTIONS_SHEET), 'instruktion', 'instruktionertilltrygghetsjouren', 'instruktionertilltj', 'instruktionertj', 'instructions'];

function findSheet(wb: ExcelJS.Workbook, keys: string[]): ExcelJS.Worksheet | undefined {
  const sheets = wb.worksheets;
  return (
    sheets.find((ws) => keys.includes(key(ws.name))) ??
    sheets.find((ws) => keys.some((k) => key(ws.name).startsWith(k)))
  );
}

/* ------------------------------------------------------------------ zip checks */

const ZIP_LOCAL = 0x04034b50;
const ZIP_EOCD = 0x06054b50;
const ZIP_CENTRAL = 0x02014b50;

/** Reads the zip central directory: entry names and the total unpacked size. Undefined if not a zip. */
function zipDirectory(buf: Buffer): { names: string[]; unpacked: number } | undefined {
  if (buf.length < 22 || buf.readUInt32LE(0) !== ZIP_LOCAL) {
    return undefined;
  }
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) !== ZIP_EOCD) {
      continue;
    }
    const count = buf.readUInt16LE(i + 10);
    let p = buf.readUInt32LE(i + 16);
    const names: string[] = [];
    let unpacked = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== ZIP_CENTRAL) {
        return undefined;
      }
      const size = buf.readUInt32LE(p + 24);
      const nameLen = buf.readUInt16LE(p + 28);
      const extraLen = buf.readUInt16LE(p + 30);
      const commentLen = buf.readUInt16LE(p + 32);
      // 0xffffffff: a zip64 entry, far beyond any staff list.
      unpacked += size === 0xffffffff ? Number.MAX_SAFE_INTEGER : size;
      names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
      p += 46 + nameLen + extraLen + commentLen;
    }
    return { names, unpacked };
  }
  return undefined;
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('sv-SE', { maximumFractionDigits: 1 })} MB`;
}

/* ------------------------------------------------------------------ the parser */

function unusable(message: string, extra: ParseProblem[] = []): ParsedStaffList {
  return {
    staff: [],
    instructions: { minimumStaffing: {}, cooperatingUnits: [] },
    problems: [...extra, { message }],
    unusable: true,
    cooperating: { matched: [], unmatched: [] }
  };
}

/** Parses a staff workbook. Never throws; see the module comment. */
export async function parseStaffWorkbook(buf: Buffer, opts: StaffListParseOptions = {}): Promise<ParsedStaffList> {
  try {
    return await parse(buf, opts);
  } catch (err) {
    /* c8 ignore next 3 -- a last resort: every known failure is handled inside */
    const reason = err instanceof Error ? err.message : String(err);
    return unusable(`Filen kunde inte läsas (${reason.slice(0, 200)}).`);
  }
}

async function parse(buf: Buffer, opts: StaffListParseOptions): Promise<ParsedStaffList> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const maxUnpacked = opts.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES;

  if (!Buffer.isBuffer(buf) || buf.length === 0) {
    return unusable('Filen är tom.');
  }
  if (buf.length > maxBytes) {
    return unusable(`Filen är för stor (${mb(buf.length)}); en personallista får vara högst ${mb(maxBytes)}.`);
  }
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0xd0cf11e0) {
    return unusable(
      'Filen är en äldre Excel-fil (.xls) eller lösenordsskyddad. Spara den som Excel-arbetsbok (.xlsx) utan lösenord.'
    );
  }
  const dir = zipDirectory(buf);
  if (!dir || !dir.names.includes('xl/workbook.xml')) {
    return unusable('Filen är inte en Excel-arbetsbok (.xlsx). Utgå från mallen Personallista-mall.xlsx.');
  }
  if (dir.unpacked > maxUnpacked) {
    return unusable(`Arbetsboken är för stor uppackad (${mb(dir.unpacked)}; högst ${mb(maxUnpacked)}).`);
  }

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    return unusable('Filen kunde inte läsas som Excel-arbetsbok (.xlsx); den kan vara skadad.');
  }

  const problems: ParseProblem[] = [];

  // --- staff sheet: by name, else the first sheet with a recognisable header row
  let staffWs = findSheet(wb, STAFF_SHEET_KEYS);
  let header = staffWs ? findHeader(staffWs) : undefined;
  if (!header) {
    for (const ws of wb.worksheets) {
      const h = ws === staffWs ? undefined : findHeader(ws);
      if (h) {
        problems.push({
          sheet: ws.name,
          message: staffWs
            ? `Fliken "${staffWs.name}" saknar rubrikraden; personalen lästes från fliken "${ws.name}".`
            : `Fliken "${STAFF_SHEET}" saknas; personalen lästes från fliken "${ws.name}".`
        });
        staffWs = ws;
        header = h;
        break;
      }
    }
  }
  const instructionsResult = readInstructions(wb, problems);
  const cooperating = matchCooperating(instructionsResult.instructions.cooperatingUnits, opts.knownUnits, problems);

  if (!staffWs) {
    return {
      ...unusable(`Fliken "${STAFF_SHEET}" saknas och ingen annan flik har rubrikerna Namn och Anställningsform.`, problems),
      instructions: instructionsResult.instructions,
      unitName: instructionsResult.unitName,
      cooperating
    };
  }
  if (!header) {
    return {
      ...unusable(
        `Fliken "${staffWs.name}" saknar rubrikraden (Namn, Telefon, Anställningsform, Roll, Anteckningar).`,
        problems
      ),
      instructions: instructionsResult.instructions,
      unitName: instructionsResult.unitName,
      cooperating
    };
  }
  if (header.cols.employment === undefined) {
    return {
      ...unusable(`Fliken "${staffWs.name}" saknar kolumnen Anställningsform, så ingen kan beordras in.`, problems),
      instructions: instructionsResult.instructions,
      unitName: instructionsResult.unitName,
      cooperating
    };
  }

  const staff = readStaff(staffWs, header, maxRows, problems);
  if (staff.length === 0) {
    problems.push({ sheet: staffWs.name, message: 'Listan innehåller ingen medarbetare som kunde läsas.' });
  }
  return {
    staff,
    instructions: instructionsResult.instructions,
    unitName: instructionsResult.unitName,
    problems,
    unusable: false,
    cooperating
  };
}

function describe(v: CellVal): string {
  switch (v.kind) {
    case 'number':
      return 'ett tal';
    case 'date':
      return 'ett datum';
    case 'boolean':
      return 'ett sanningsvärde';
    case 'error':
      return `ett felvärde${v.text ? ` (${v.text})` : ''}`;
    /* c8 ignore next 2 */
    default:
      return 'inte text';
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function readStaff(ws: ExcelJS.Worksheet, header: HeaderMap, maxRows: number, problems: ParseProblem[]): StaffMember[] {
  const staff: StaffMember[] = [];
  const seen = new Map<string, number>();
  const { cols } = header;
  const sheet = ws.name;
  const lastCol = Math.max(...Object.values(cols).map((c) => c as number));
  let dataRows = 0;
  const report = (row: number, message: string): void => {
    problems.push({ sheet, row, message });
  };

  for (let r = header.row + 1; r <= ws.rowCount; r++) {
    const get = (f: Field): CellVal => (cols[f] === undefined ? EMPTY : cellVal(ws, r, cols[f] as number));
    const cells: CellVal[] = [];
    for (let c = 1; c <= lastCol; c++) {
      cells.push(cellVal(ws, r, c));
    }
    if (cells.every((v) => v.kind === 'empty' && !v.noResult)) {
      continue;
    }
    dataRows++;
    if (dataRows > maxRows) {
      problems.push({
        sheet,
        row: r,
        message: `Listan har fler än ${maxRows} rader; bara de första ${maxRows} har lästs. Kontrollera att fliken bara innehåller personal.`
      });
      break;
    }

    // A row merged across the name and employment columns is a heading ("Nattpersonal"), not a person.
    const nameCol = cols.name ?? cols.firstName;
    if (nameCol !== undefined && cols.employment !== undefined) {
      const a = ws.getCell(r, nameCol);
      const b = ws.getCell(r, cols.employment);
      if (a.isMerged && b.isMerged && a.master.address === b.master.address) {
        report(r, `Raden ser ut som en rubrik ("${clip(plain(a.value).text, 40)}", sammanfogade celler) och har hoppats över.`);
        continue;
      }
    }

    // --- name
    let name: string;
    const nv = get('name');
    if (cols.name !== undefined && nv.kind !== 'empty') {
      if (nv.kind !== 'text') {
        report(r, `Namnet är ${describe(nv)}, inte text; raden har hoppats över.`);
        continue;
      }
      name = nv.text;
    } else {
      const first = get('firstName');
      const last = get('lastName');
      name = [first, last].filter((v) => v.kind === 'text').map((v) => v.text).join(' ');
    }
    name = name.replace(/\s+/g, ' ').trim();
    if (name === '' || normalizeName(name) === '') {
      report(r, nv.noResult ? 'Namnet är en formel utan sparat värde; raden har hoppats över.' : 'Namn saknas; raden har hoppats över.');
      continue;
    }
    if (name.length > MAX_NAME_LENGTH) {
      report(r, `Namnet är längre än ${MAX_NAME_LENGTH} tecken; raden har hoppats över.`);
      continue;
    }
    if (!/\p{L}/u.test(name)) {
      report(r, `"${clip(name, 40)}" ser inte ut som ett namn; raden har hoppats över.`);
      continue;
    }

    // --- employment form
    const ev = get('employment');
    if (ev.kind === 'empty') {
      report(r, `Anställningsform saknas för ${name}; raden har hoppats över.`);
      continue;
    }
    const form = ev.kind === 'text' ? parseEmploymentForm(ev.text) : undefined;
    if (!form) {
      report(
        r,
        `Okänd anställningsform "${clip(ev.text, 40)}" för ${name} (skriv Tillsvidare, Månadsanställd eller Timanställd); raden har hoppats över.`
      );
      continue;
    }

    // --- duplicates
    const id = staffId(name);
    const firstRow = seen.get(id);
    if (firstRow !== undefined) {
      report(r, `${name} finns redan på rad ${firstRow}; den här raden har hoppats över.`);
      continue;
    }
    seen.set(id, r);

    const member: StaffMember = { id, name, employmentForm: form };

    // --- phone (the person is kept without one if it cannot be read)
    const pv = get('phone');
    if (pv.kind === 'text' || pv.kind === 'number') {
      const p = normalizePhone(pv.kind === 'number' ? (pv.num as number) : pv.text);
      if (p.ok) {
        member.phone = p.e164;
        if (p.note) {
          report(r, `Telefon för ${name}: ${p.note}.`);
        }
      } else {
        report(r, `Telefonnumret för ${name} ${p.reason} och har inte lästs.`);
      }
    } else if (pv.kind !== 'empty') {
      report(r, `Telefonnumret för ${name} är ${describe(pv)} och har inte lästs.`);
    } else if (form !== 'Timanställd') {
      report(r, `Telefonnummer saknas för ${name}.`);
    }

    // --- role, notes (any type is shown as text)
    const role = get('role');
    if (role.kind !== 'empty' && role.text !== '') {
      member.role = clip(role.text, MAX_TEXT_LENGTH);
    }
    const notes = get('notes');
    if (notes.kind !== 'empty' && notes.text !== '') {
      member.notes = clip(notes.text, MAX_TEXT_LENGTH);
    }
    staff.push(member);
  }
  return staff;
}

/* ------------------------------------------------------------------ instructions */

type Label = 'unitName' | 'kvall' | 'natt' | 'helgdag' | 'cooperating' | 'freeText';

function instructionLabel(text: string): Label | undefined {
  const k = key(text);
  if (k === '') {
    return undefined;
  }
  if (k.includes('samarbet')) {
    return 'cooperating';
  }
  if (k.startsWith('minimibemanning') || k.startsWith('minbemanning') || k.startsWith('bemanning') || k.startsWith('minsta')) {
    if (k.includes('kvall')) {
      return 'kvall';
    }
    if (k.includes('natt')) {
      return 'natt';
    }
    if (k.includes('helg')) {
      return 'helgdag';
    }
  }
  if (['kvall', 'natt', 'helgdag', 'helg'].includes(k)) {
    return k === 'helg' ? 'helgdag' : (k as Label);
  }
  if (k.startsWith('ovrig') || k === 'fritext' || k === 'instruktioner' || k === 'ovrigainstruktioner') {
    return 'freeText';
  }
  if (['enhet', 'enhetensnamn', 'enhetsnamn', 'arbetsplats', 'verksamhet'].includes(k)) {
    return 'unitName';
  }
  return undefined;
}

function readInstructions(
  wb: ExcelJS.Workbook,
  problems: ParseProblem[]
): { instructions: UnitInstructions; unitName?: string } {
  const instructions: UnitInstructions = { minimumStaffing: {}, cooperatingUnits: [] };
  const ws = findSheet(wb, INSTRUCTION_SHEET_KEYS);
  if (!ws) {
    problems.push({ message: `Fliken "${INSTRUCTIONS_SHEET}" saknas; enheten har inga instruktioner till Trygghetsjouren.` });
    return { instructions };
  }
  const sheet = ws.name;
  const lastCol = Math.min(Math.max(ws.columnCount, 2), 30);
  const lastRow = Math.min(ws.rowCount, 500);
  let unitName: string | undefined;
  let current: Label | undefined;
  const free: string[] = [];
  const coop: string[] = [];

  let currentCol = 0;
  for (let r = 1; r <= lastRow; r++) {
    // The label is the first non-empty cell of the row; the values are the cells to its right.
    let firstCol = 0;
    let first: CellVal = EMPTY;
    for (let c = 1; c <= lastCol; c++) {
      const v = cellVal(ws, r, c);
      if (v.kind !== 'empty') {
        firstCol = c;
        first = v;
        break;
      }
    }
    if (firstCol === 0) {
      continue;
    }
    const values: CellVal[] = [];
    if ((current === 'cooperating' || current === 'freeText') && firstCol > currentCol) {
      // Continuation row: label column empty, more units (or more free text) to the right.
      for (let c = firstCol; c <= lastCol; c++) {
        values.push(cellVal(ws, r, c));
      }
    } else {
      const label = first.kind === 'text' ? instructionLabel(first.text) : undefined;
      current = label;
      currentCol = firstCol;
      if (!label) {
        continue;
      }
      for (let c = firstCol + 1; c <= lastCol; c++) {
        values.push(cellVal(ws, r, c));
      }
    }
    const texts = values.filter((v) => v.kind !== 'empty' && v.text !== '');
    switch (current) {
      case 'unitName':
        if (texts[0]) {
          unitName = clip(texts[0].text, MAX_TEXT_LENGTH);
        }
        break;
      case 'kvall':
      case 'natt':
      case 'helgdag': {
        const v = texts[0];
        if (!v) {
          break;
        }
        const n = v.kind === 'number' ? v.num : v.kind === 'text' ? Number(/^\s*(\d+)\b/.exec(v.text)?.[1] ?? NaN) : NaN;
        if (n === undefined || !Number.isInteger(n) || n < 0 || n > 1000) {
          problems.push({ sheet, row: r, message: `Minimibemanningen "${clip(v.text, 40)}" är inte ett antal personer och har inte lästs.` });
        } else {
          instructions.minimumStaffing[current] = n;
        }
        break;
      }
      case 'cooperating':
        for (const v of texts) {
          for (const part of v.text.split(/\s*[\n;]\s*/)) {
            const t = part.replace(/\s+/g, ' ').trim();
            if (t !== '' && !coop.some((c) => normalizeName(c) === normalizeName(t))) {
              coop.push(clip(t, MAX_TEXT_LENGTH));
            }
          }
        }
        break;
      case 'freeText':
        for (const v of texts) {
          free.push(v.text);
        }
        break;
    }
  }
  instructions.cooperatingUnits = coop;
  const freeText = free.join('\n').trim();
  if (freeText !== '') {
    instructions.freeText = clip(freeText, MAX_FREE_TEXT_LENGTH);
  }
  return { instructions, unitName };
}

function matchCooperating(
  names: string[],
  knownUnits: Array<string | KnownUnit> | undefined,
  problems: ParseProblem[]
): ParsedStaffList['cooperating'] {
  const result: ParsedStaffList['cooperating'] = { matched: [], unmatched: [] };
  if (!knownUnits) {
    return result;
  }
  const known = new Map<string, KnownUnit>();
  for (const u of knownUnits) {
    const unit = typeof u === 'string' ? { name: u } : u;
    const k = normalizeName(unit.name);
    if (!known.has(k)) {
      known.set(k, unit);
    }
  }
  const push = (name: string, unit: KnownUnit): void => {
    const m: CooperatingMatch = { name, unitName: unit.name };
    if (unit.id !== undefined) {
      m.unitId = unit.id;
    }
    result.matched.push(m);
  };
  for (const name of names) {
    const unit = known.get(normalizeName(name));
    if (unit) {
      push(name, unit);
      continue;
    }
    // "Enhet A, Enhet B" in one cell: accept the split only if every part is a known unit.
    const parts = name.split(/\s*,\s*/).filter((p) => p !== '');
    if (parts.length > 1 && parts.every((p) => known.has(normalizeName(p)))) {
      for (const p of parts) {
        push(p, known.get(normalizeName(p)) as KnownUnit);
      }
      continue;
    }
    result.unmatched.push(name);
    problems.push({ sheet: INSTRUCTIONS_SHEET, message: `Samarbetande enhet "${clip(name, 80)}" finns inte i enhetslistan.` });
  }
  return result;
}
