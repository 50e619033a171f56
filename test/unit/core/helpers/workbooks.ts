/** Builders for the staff-list test corpus: odd workbooks are made here, not committed as binaries. */
import ExcelJS from 'exceljs';
import { crc32 } from 'node:zlib';

export async function book(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** A staff sheet with the given rows under the template's header. */
export async function staffBook(
  rows: unknown[][],
  opts: { sheet?: string; header?: unknown[]; headerRow?: number; instructions?: unknown[][] } = {}
): Promise<Buffer> {
  return book((wb) => {
    const ws = wb.addWorksheet(opts.sheet ?? 'Personal');
    const headerRow = opts.headerRow ?? 1;
    for (let i = 1; i < headerRow; i++) {
      ws.getRow(i).values = i === 1 ? ['Personallista för enheten'] : [];
    }
    ws.getRow(headerRow).values = (opts.header as ExcelJS.CellValue[] | undefined) ?? ['Namn', 'Telefon', 'Anställningsform', 'Roll', 'Anteckningar'];
    rows.forEach((r, i) => {
      ws.getRow(headerRow + 1 + i).values = r as ExcelJS.CellValue[];
    });
    if (opts.instructions) {
      const ins = wb.addWorksheet('Instruktioner');
      opts.instructions.forEach((r, i) => {
        ins.getRow(i + 1).values = r as ExcelJS.CellValue[];
      });
    }
  });
}

/** A zip archive with stored (uncompressed) entries. */
export function storedZip(entries: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(entries).length, 8);
  eocd.writeUInt16LE(Object.keys(entries).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}
