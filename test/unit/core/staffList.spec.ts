import { strict as assert } from 'node:assert';
import ExcelJS from 'exceljs';
import { parseEmploymentForm, parseStaffWorkbook, type ParsedStaffList } from '../../../core/staffList';
import { buildStaffWorkbook, HOWTO_SHEET } from '../../../core/staffTemplate';
import { book, staffBook, storedZip } from './helpers/workbooks';

const messages = (r: ParsedStaffList): string => r.problems.map((p) => `${p.row ?? '-'}: ${p.message}`).join('\n');
const rowProblems = (r: ParsedStaffList): number[] => r.problems.filter((p) => p.row !== undefined).map((p) => p.row as number);

/** Parses and checks the invariants every result holds, whatever the input. */
async function parse(buf: Buffer, opts?: Parameters<typeof parseStaffWorkbook>[1]): Promise<ParsedStaffList> {
  const r = await parseStaffWorkbook(buf, opts);
  assert.ok(Array.isArray(r.staff) && Array.isArray(r.problems));
  if (r.unusable) {
    assert.equal(r.staff.length, 0);
    assert.ok(r.problems.length > 0);
  }
  for (const p of r.problems) {
    assert.ok(p.message.length > 0);
  }
  const ids = new Set(r.staff.map((s) => s.id));
  assert.equal(ids.size, r.staff.length, 'ids are unique');
  return r;
}

describe('core/staffList', () => {
  describe('template round trip', () => {
    it('the empty template parses to an empty, usable list', async () => {
      const r = await parse(await buildStaffWorkbook({ staff: [] }));
      assert.equal(r.unusable, false);
      assert.deepEqual(r.staff, []);
      assert.deepEqual(r.instructions, { minimumStaffing: {}, cooperatingUnits: [] });
      assert.match(messages(r), /ingen medarbetare/);
    });

    it('template → fill → parse gives back the same staff and instructions', async () => {
      const input = {
        unitName: 'Hemtjänst Majorna',
        staff: [
          { name: 'Åsa Öberg', phone: '070-123 45 67', employmentForm: 'Tillsvidare', role: 'Undersköterska', notes: 'Kör inte bil' },
          { name: 'Erik Lind', phone: '+46 70 765 43 21', employmentForm: 'Månadsanställd', role: 'Vårdbiträde' },
          { name: 'Sara Ek', phone: '031-365 85 85', employmentForm: 'Timanställd' }
        ],
        instructions: {
          kvall: 3,
          natt: 1,
          helgdag: 4,
          cooperatingUnits: ['Hemtjänst Linné', 'Hemtjänst Masthugget', 'Hemtjänst Kungsladugård', 'A', 'B', 'C', 'D', 'E', 'F'],
          freeText: 'Nyckelskåpet: ring 031-00 00 00.\nBilarna står i garaget.'
        }
      };
      const r = await parse(await buildStaffWorkbook(input), {
        knownUnits: [{ id: '7', name: 'HEMTJÄNST LINNÉ' }, 'hemtjanst masthugget', 'A']
      });
      assert.equal(r.unusable, false, messages(r));
      assert.equal(r.unitName, 'Hemtjänst Majorna');
      assert.deepEqual(r.staff, [
        { id: 'asa-oberg', name: 'Åsa Öberg', phone: '+46701234567', employmentForm: 'Tillsvidare', role: 'Undersköterska', notes: 'Kör inte bil' },
        { id: 'erik-lind', name: 'Erik Lind', phone: '+46707654321', employmentForm: 'Månadsanställd', role: 'Vårdbiträde' },
        { id: 'sara-ek', name: 'Sara Ek', phone: '+46313658585', employmentForm: 'Timanställd' }
      ]);
      assert.deepEqual(r.instructions, {
        minimumStaffing: { kvall: 3, natt: 1, helgdag: 4 },
        cooperatingUnits: input.instructions.cooperatingUnits,
        freeText: input.instructions.freeText
      });
      assert.deepEqual(r.cooperating.matched, [
        { name: 'Hemtjänst Linné', unitName: 'HEMTJÄNST LINNÉ', unitId: '7' },
        { name: 'Hemtjänst Masthugget', unitName: 'hemtjanst masthugget' },
        { name: 'A', unitName: 'A' }
      ]);
      assert.deepEqual(r.cooperating.unmatched, ['Hemtjänst Kungsladugård', 'B', 'C', 'D', 'E', 'F']);
    });

    it('the template has the dropdown, the instructions and the how-to', async () => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await buildStaffWorkbook({ staff: [] })) as unknown as ArrayBuffer);
      assert.deepEqual(wb.worksheets.map((w) => w.name), ['Personal', 'Instruktioner', HOWTO_SHEET]);
      const dv = wb.getWorksheet('Personal')!.getCell('C2').dataValidation;
      assert.equal(dv.type, 'list');
      assert.deepEqual(dv.formulae, ['"Tillsvidare,Månadsanställd,Timanställd"']);
      assert.equal(wb.getWorksheet('Personal')!.getCell('C300').dataValidation.type, 'list');
      const labels: string[] = [];
      wb.getWorksheet('Instruktioner')!.eachRow((row) => labels.push(String(row.getCell(1).value ?? '')));
      for (const l of ['Minimibemanning kväll', 'Minimibemanning natt', 'Minimibemanning helgdag', 'Samarbetande enheter', 'Övrigt']) {
        assert.ok(labels.includes(l), l);
      }
    });
  });

  describe('files that cannot be used (unusable, never thrown)', () => {
    const cases: Array<[string, () => Promise<Buffer> | Buffer, RegExp, Parameters<typeof parseStaffWorkbook>[1]?]> = [
      ['empty file', () => Buffer.alloc(0), /tom/],
      ['not a Buffer', () => 'Namn;Telefon' as unknown as Buffer, /tom/],
      ['CSV renamed .xlsx', () => Buffer.from('Namn;Telefon;Anställningsform\nÅsa;070;TV\n'), /inte en Excel-arbetsbok/],
      ['PDF renamed .xlsx', () => Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'), /inte en Excel-arbetsbok/],
      ['random bytes', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /inte en Excel-arbetsbok/],
      ['old .xls / password-protected', () => Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)]), /\.xls/],
      ['a zip that is not a workbook (.docx renamed)', () => storedZip({ 'word/document.xml': '<w:document/>' }), /inte en Excel-arbetsbok/],
      ['zip header without a directory', () => Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(100)]), /inte en Excel-arbetsbok/],
      [
        'a zip whose directory lies',
        () => {
          const z = storedZip({ 'xl/workbook.xml': 'x' });
          z.writeUInt32LE(1, z.length - 6); // directory offset points into the local header
          return z;
        },
        /inte en Excel-arbetsbok/
      ],
      ['a workbook with garbage inside', () => storedZip({ '[Content_Types].xml': '<<<', 'xl/workbook.xml': 'not xml at all <' }), /kunde inte läsas|saknas/],
      [
        'a truncated workbook',
        async () => {
          const b = await buildStaffWorkbook({ staff: [{ name: 'A B', employmentForm: 'TV' }] });
          return b.subarray(0, Math.floor(b.length / 2));
        },
        /inte en Excel-arbetsbok/
      ],
      ['too big (default 5 MB)', () => Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(5 * 1024 * 1024)]), /för stor.*högst 5 MB/],
      ['too big (option)', () => buildStaffWorkbook({ staff: [] }), /för stor.*högst 0 MB/, { maxBytes: 1000 }],
      ['unpacks too big (zip bomb guard)', () => buildStaffWorkbook({ staff: [] }), /uppackad/, { maxUnpackedBytes: 1000 }],
      [
        'no staff sheet and no header anywhere',
        () => book((wb) => {
          wb.addWorksheet('Instruktioner').addRow(['Minimibemanning natt', 2]);
          wb.addWorksheet('Blad2').addRow(['hej']);
        }),
        /Fliken "Personal" saknas/
      ],
      ['staff sheet without a header row', () => book((wb) => wb.addWorksheet('Personal').addRow(['Åsa Öberg', '0701234567', 'TV'])), /saknar rubrikraden/],
      [
        'no employment column',
        () => staffBook([['Åsa Öberg', '0701234567']], { header: ['Namn', 'Telefon'] }),
        /saknar kolumnen Anställningsform/
      ],
      ['a workbook with no sheets', () => book(() => undefined), /saknas/]
    ];
    for (const [label, make, expected, opts] of cases) {
      it(label, async () => {
        const r = await parse(await make(), opts);
        assert.equal(r.unusable, true, messages(r));
        assert.match(messages(r), expected);
      });
    }
  });

  describe('tolerant reading', () => {
    it('header on row 3 under a title, sheet name in capitals with spaces', async () => {
      const r = await parse(await staffBook([['Åsa Öberg', '0701234567', 'Tillsvidare']], { headerRow: 3, sheet: ' PERSONAL ' }));
      assert.equal(r.unusable, false);
      assert.equal(r.staff[0]?.name, 'Åsa Öberg');
    });

    it('header synonyms: Förnamn + Efternamn, Mobil, Anst.form, Befattning, Kommentar', async () => {
      const r = await parse(
        await staffBook(
          [
            ['Åsa', 'Öberg', 'tv', '070-1234567', 'USK', 'Bara natt'],
            ['Erik', 'Lind', 'Månadsanst.', '', '', '']
          ],
          { header: ['Förnamn', 'Efternamn', 'Anst.form', 'Mobil', 'Befattning', 'Kommentar'], sheet: 'Personallista' }
        )
      );
      assert.deepEqual(r.staff[0], {
        id: 'asa-oberg',
        name: 'Åsa Öberg',
        phone: '+46701234567',
        employmentForm: 'Tillsvidare',
        role: 'USK',
        notes: 'Bara natt'
      });
      assert.equal(r.staff[1]?.employmentForm, 'Månadsanställd');
      assert.match(messages(r), /3: Telefonnummer saknas för Erik Lind/);
    });

    const headerVariants: Array<[string[], string]> = [
      [['NAMN', 'TEL', 'ANSTÄLLNING'], 'capitals'],
      [['Namn ', 'Telefonnummer', 'Anstallningsform'], 'no diacritics'],
      [['Medarbetare', 'Mobilnummer', 'Anställningsform (välj i listan)'], 'longer headers'],
      [['namn', 'tfn', 'anst form'], 'abbreviations']
    ];
    for (const [header, label] of headerVariants) {
      it(`header variant: ${label}`, async () => {
        const r = await parse(await staffBook([['Åsa Öberg', '0701234567', 'TV']], { header }));
        assert.equal(r.staff.length, 1, messages(r));
        assert.equal(r.staff[0]?.phone, '+46701234567');
      });
    }

    it('a staff sheet under another name is found by its header, with a problem', async () => {
      const r = await parse(await staffBook([['Åsa Öberg', '0701234567', 'TV']], { sheet: 'Blad1' }));
      assert.equal(r.staff.length, 1);
      assert.match(messages(r), /Fliken "Personal" saknas; personalen lästes från fliken "Blad1"/);
    });

    it('a "Personal" sheet without header but another sheet with one', async () => {
      const buf = await book((wb) => {
        wb.addWorksheet('Personal').addRow(['Se nästa flik']);
        const ws = wb.addWorksheet('Lista 2026');
        ws.addRow(['Namn', 'Telefon', 'Anställningsform']);
        ws.addRow(['Åsa Öberg', '0701234567', 'TV']);
      });
      const r = await parse(buf);
      assert.equal(r.staff.length, 1);
      assert.match(messages(r), /saknar rubrikraden; personalen lästes från fliken "Lista 2026"/);
    });

    it('a header with name and phone but no employment form is still found, and refused', async () => {
      const r = await parse(await staffBook([['Åsa Öberg', '0701234567', 'x']], { header: ['Namn', 'Telefon', 'Roll'] }));
      assert.equal(r.unusable, true);
      assert.match(messages(r), /Anställningsform/);
    });

    it('empty rows are skipped silently', async () => {
      const r = await parse(await staffBook([[], ['Åsa Öberg', '0701234567', 'TV'], [], [null, '', '  '], [], ['Erik Lind', '0707654321', 'MÅ']]));
      assert.deepEqual(r.staff.map((s) => s.name), ['Åsa Öberg', 'Erik Lind']);
      assert.deepEqual(rowProblems(r), []);
    });

    it('merged cells: a heading row, an employment form merged downwards, a merged header', async () => {
      const buf = await book((wb) => {
        const ws = wb.addWorksheet('Personal');
        ws.addRow(['Namn', 'Telefon', 'Anställningsform', null, 'Roll']);
        ws.mergeCells('C1:D1');
        ws.addRow(['Dagpersonal']);
        ws.mergeCells('A2:E2');
        ws.addRow(['Åsa Öberg', '0701234567', 'Tillsvidare', null, 'USK']);
        ws.addRow(['Erik Lind', '0707654321', null, null, 'VB']);
        ws.addRow(['Sara Ek', '0701112233', null, null, 'USK']);
        ws.mergeCells('C3:C5');
        ws.addRow(['Bo Ek', '0701112234', 'TIM', null, 'VB']);
      });
      const r = await parse(buf);
      assert.deepEqual(
        r.staff.map((s) => [s.name, s.employmentForm, s.role]),
        [
          ['Åsa Öberg', 'Tillsvidare', 'USK'],
          ['Erik Lind', 'Tillsvidare', 'VB'],
          ['Sara Ek', 'Tillsvidare', 'USK'],
          ['Bo Ek', 'Timanställd', 'VB']
        ]
      );
      assert.match(messages(r), /2: Raden ser ut som en rubrik \("Dagpersonal"/);
    });

    it('formulas give their cached result; without one the row is reported', async () => {
      const r = await parse(
        await staffBook([
          [{ formula: 'CONCATENATE("Åsa"," ","Öberg")', result: 'Åsa Öberg' }, { formula: 'X1', result: 701234567 }, { formula: 'Y1', result: 'TV' }],
          [{ formula: 'Z1' }, '0701234567', 'TV'],
          ['Erik Lind', { formula: 'Q1', result: { error: '#N/A' } }, 'TV'],
          [{ sharedFormula: 'A2', result: 'Sara Ek' } as unknown as ExcelJS.CellValue, '0701112233', 'TV']
        ])
      );
      assert.deepEqual(r.staff.map((s) => [s.name, s.phone]), [
        ['Åsa Öberg', '+46701234567'],
        ['Erik Lind', undefined],
        ['Sara Ek', '+46701112233']
      ]);
      assert.match(messages(r), /3: Namnet är en formel utan sparat värde/);
      assert.match(messages(r), /4: Telefonnumret för Erik Lind är ett felvärde \(#N\/A\)/);
    });

    it('rich text and hyperlinks are read as text', async () => {
      const r = await parse(
        await staffBook([
          [{ richText: [{ text: 'Åsa ', font: { bold: true } }, { text: 'Öberg' }] }, { text: '070-123 45 67', hyperlink: 'tel:+46701234567' }, 'TV']
        ])
      );
      assert.deepEqual(r.staff[0], { id: 'asa-oberg', name: 'Åsa Öberg', phone: '+46701234567', employmentForm: 'Tillsvidare' });
    });

    it('wrong types are reported row by row', async () => {
      const r = await parse(
        await staffBook([
          [12345, '0701234567', 'TV'],
          [new Date(Date.UTC(2026, 0, 1)), '0701234567', 'TV'],
          [true, '0701234567', 'TV'],
          ['Åsa Öberg', true, 'TV', 42, new Date(Date.UTC(2026, 0, 2))],
          ['Erik Lind', new Date(Date.UTC(2026, 0, 1)), 1],
          ['Sara Ek', 'saknas', 'TV'],
          ['!!!', '0701234567', 'TV'],
          ['12 34', '0701234567', 'TV'],
          ['Per Ek', '0701234567', ''],
          ['Ola Ek', '0701234567', 'vikarie'],
          [null, '0701234567', 'TV'],
          ['x'.repeat(101), '0701234567', 'TV']
        ])
      );
      assert.deepEqual(r.staff.map((s) => [s.name, s.phone, s.role, s.notes]), [
        ['Åsa Öberg', undefined, '42', '2026-01-02'],
        ['Sara Ek', undefined, undefined, undefined]
      ]);
      const m = messages(r);
      assert.match(m, /2: Namnet är ett tal/);
      assert.match(m, /3: Namnet är ett datum/);
      assert.match(m, /4: Namnet är ett sanningsvärde/);
      assert.match(m, /5: Telefonnumret för Åsa Öberg är ett sanningsvärde/);
      assert.match(m, /6: Okänd anställningsform "1" för Erik Lind/);
      assert.match(m, /7: Telefonnumret för Sara Ek innehåller inga siffror/);
      assert.match(m, /8: "!!!" ser inte ut som ett namn|8: Namn saknas/);
      assert.match(m, /9: "12 34" ser inte ut som ett namn/);
      assert.match(m, /10: Anställningsform saknas för Per Ek/);
      assert.match(m, /11: Okänd anställningsform "vikarie" för Ola Ek/);
      assert.match(m, /12: Namn saknas/);
      assert.match(m, /13: Namnet är längre än 100 tecken/);
    });

    it('duplicate names: the first is kept, the second reported', async () => {
      const r = await parse(await staffBook([['Åsa Öberg', '0701234567', 'TV'], ['Erik Lind', '', 'TIM'], ['ÅSA  ÖBERG', '0709999999', 'MÅ']]));
      assert.deepEqual(r.staff.map((s) => s.name), ['Åsa Öberg', 'Erik Lind']);
      assert.match(messages(r), /4: ÅSA ÖBERG finns redan på rad 2/);
      assert.doesNotMatch(messages(r), /Telefonnummer saknas för Erik/, 'timanställda need no phone');
    });

    it('several phone numbers in one cell: the first, reported', async () => {
      const r = await parse(await staffBook([['Åsa Öberg', '070-111 11 11 / 031-22 22 22', 'TV']]));
      assert.equal(r.staff[0]?.phone, '+46701111111');
      assert.match(messages(r), /2: Telefon för Åsa Öberg: flera nummer/);
    });

    it('long role and notes are clipped', async () => {
      const r = await parse(await staffBook([['Åsa Öberg', '0701234567', 'TV', 'r'.repeat(600), 'n'.repeat(600)]]));
      assert.equal(r.staff[0]?.role?.length, 500);
      assert.equal(r.staff[0]?.notes?.length, 500);
    });

    it('10,000 rows: the first 5,000 are read, with a clear message', async function () {
      this.timeout(60_000);
      const rows = Array.from({ length: 10_000 }, (_, i) => [`Person Nummer${i}`, `070${String(1000000 + i)}`, i % 3 === 0 ? 'TIM' : 'TV']);
      const buf = await staffBook(rows);
      const r = await parse(buf);
      assert.equal(r.unusable, false);
      assert.equal(r.staff.length, 5000);
      assert.match(messages(r), /fler än 5000 rader; bara de första 5000/);
      const small = await parse(buf, { maxRows: 10 });
      assert.equal(small.staff.length, 10);
    });
  });

  describe('instructions', () => {
    it('missing instructions sheet is a problem, not a failure', async () => {
      const r = await parse(await staffBook([['Åsa Öberg', '0701234567', 'TV']]));
      assert.equal(r.unusable, false);
      assert.match(messages(r), /Fliken "Instruktioner" saknas/);
      assert.deepEqual(r.instructions, { minimumStaffing: {}, cooperatingUnits: [] });
    });

    it('labels in other words, values as text, units in consecutive cells and in one cell', async () => {
      const r = await parse(
        await staffBook([['Åsa Öberg', '0701234567', 'TV']], {
          instructions: [
            ['INSTRUKTIONER TILL TRYGGHETSJOUREN'],
            ['Enhetens namn', 'Vättnedal'],
            ['Minimibemanning, kvällar', '2 personer'],
            ['Min. bemanning natt', 'två'],
            ['Helg', 3],
            ['Bemanning helgdag', -1],
            ['Samarbetande enheter/avdelningar', 'Enhet A', 'Enhet B'],
            [null, 'Enhet C\nEnhet D; enhet a'],
            [null, 'Enhet E, Enhet F'],
            [null, 'Enhet G, H'],
            ['Övrigt', 'Rad ett'],
            [null, 'Rad två'],
            ['Något annat', 'ignoreras'],
            [null, 'också ignorerat']
          ]
        }),
        { knownUnits: ['Enhet A', 'Enhet B', 'Enhet C', 'Enhet E', 'Enhet F'] }
      );
      assert.equal(r.unitName, 'Vättnedal');
      assert.deepEqual(r.instructions.minimumStaffing, { kvall: 2, helgdag: 3 });
      assert.deepEqual(r.instructions.cooperatingUnits, ['Enhet A', 'Enhet B', 'Enhet C', 'Enhet D', 'Enhet E, Enhet F', 'Enhet G, H']);
      assert.deepEqual(r.cooperating.matched.map((m) => m.unitName), ['Enhet A', 'Enhet B', 'Enhet C', 'Enhet E', 'Enhet F']);
      assert.deepEqual(r.cooperating.unmatched, ['Enhet D', 'Enhet G, H']);
      assert.equal(r.instructions.freeText, 'Rad ett\nRad två');
      const m = messages(r);
      assert.match(m, /Minimibemanningen "två" är inte ett antal/);
      assert.match(m, /Minimibemanningen "-1"/);
      assert.match(m, /Samarbetande enhet "Enhet D" finns inte i enhetslistan/);
    });

    it('without knownUnits nothing is matched', async () => {
      const r = await parse(await buildStaffWorkbook({ staff: [], instructions: { cooperatingUnits: ['X'] } }));
      assert.deepEqual(r.cooperating, { matched: [], unmatched: [] });
      assert.deepEqual(r.instructions.cooperatingUnits, ['X']);
    });
  });

  describe('parseEmploymentForm', () => {
    const table: Array<[string, string | undefined]> = [
      ['Tillsvidare', 'Tillsvidare'],
      ['tillsvidare', 'Tillsvidare'],
      ['TV', 'Tillsvidare'],
      ['Tillsvidareanställd', 'Tillsvidare'],
      ['tillsvidareanställning', 'Tillsvidare'],
      ['Tillsvidare 75%', 'Tillsvidare'],
      ['Fast anställd', 'Tillsvidare'],
      ['Månadsanställd', 'Månadsanställd'],
      ['månadsanst', 'Månadsanställd'],
      ['Månadsanst.', 'Månadsanställd'],
      ['manadsanstalld', 'Månadsanställd'],
      ['Månadsvikarie', 'Månadsanställd'],
      ['MÅ', 'Månadsanställd'],
      ['Timanställd', 'Timanställd'],
      ['timanställd', 'Timanställd'],
      ['Timvikarie', 'Timanställd'],
      ['tim', 'Timanställd'],
      ['Timavlönad', 'Timanställd'],
      ['Behovsanställd', 'Timanställd'],
      ['vikarie', undefined],
      ['visstid', undefined],
      ['ordinarie', undefined],
      ['', undefined],
      ['?', undefined]
    ];
    for (const [text, form] of table) {
      it(`${JSON.stringify(text)} → ${form}`, () => {
        assert.equal(parseEmploymentForm(text), form);
      });
    }
  });
});
