/**
 * Names and other data shown in cards cannot become links or formatting: cards/markdown.ts escapes,
 * cards/render.ts applies it to every data string that lands in a TextBlock or a FactSet, and leaves
 * inputs, action data, URLs and button titles as they were.
 */
import { strict as assert } from 'node:assert';
import { escapeMarkdown, needsMarkdownEscape } from '../../../cards/markdown';
import { renderCard } from '../../../cards/render';
import { TEXTS, t } from '../../../bot/texts';

const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> [klicka](https://evil.example) **fet**';
const MD_LINK = /\[klicka\]\(https:\/\/evil\.example\)/;

/** What a client renders as markdown (TextBlock texts, FactSet titles and values). */
function markdownTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    node.forEach((n) => markdownTexts(n, out));
  } else if (node && typeof node === 'object') {
    const r = node as Record<string, unknown>;
    if (r.type === 'TextBlock' && typeof r.text === 'string') {
      out.push(r.text);
    }
    if (r.type === 'FactSet') {
      for (const f of r.facts as Array<{ title: string; value: string }>) {
        out.push(f.title, f.value);
      }
    }
    Object.entries(r).forEach(([k, v]) => k !== 'data' && markdownTexts(v, out));
  }
  return out;
}

function find(node: unknown, pred: (r: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const hit = find(n, pred);
      if (hit) {
        return hit;
      }
    }
  } else if (node && typeof node === 'object') {
    const r = node as Record<string, unknown>;
    if (pred(r)) {
      return r;
    }
    for (const v of Object.values(r)) {
      const hit = find(v, pred);
      if (hit) {
        return hit;
      }
    }
  }
  return undefined;
}

describe('cards/markdown', () => {
  const cases: Array<[string, string]> = [
    ['[klicka](https://evil.example)', '\\[klicka\\](https:\u200B//evil.example)'],
    ['![bild](x)', '!\\[bild\\](x)'],
    ['**fet** _kursiv_ ~~struken~~ `kod`', '\\*\\*fet\\*\\* \\_kursiv\\_ \\~\\~struken\\~\\~ \\`kod\\`'],
    ['a\\b', 'a\\\\b'],
    ['# rubrik', '\\# rubrik'],
    ['> citat', '\\> citat'],
    ['- punkt\n+ punkt\n1. lista\n2) lista', '\\- punkt\n\\+ punkt\n1\\. lista\n2\\) lista'],
    ['rad\n===', 'rad\n\\==='],
    ['se www.evil.example', 'se www\u200B.evil.example']
  ];
  for (const [input, expected] of cases) {
    it(`escapes ${JSON.stringify(input)}`, () => {
      assert.ok(needsMarkdownEscape(input));
      assert.equal(escapeMarkdown(input), expected);
    });
  }
  it('leaves plain names, dates, times, phone numbers and parentheses alone', () => {
    for (const s of ['Anna-Karin Öberg', '2026-11-24', '21:00–07:00', '070-174 06 05', 'Minimum staffing (night): 2', 'Anna (Linné)', 'Obs! 3 + 2']) {
      assert.ok(!needsMarkdownEscape(s), s);
      assert.equal(escapeMarkdown(s), s);
    }
  });
  it('HTML stays text (card clients do not render it); it is not touched', () => {
    assert.equal(escapeMarkdown('<img src=x onerror=alert(2)>'), '<img src=x onerror=alert(2)>');
  });
});

describe('cards/render: data is escaped where markdown renders, and only there', () => {
  it('a hostile unit search: the summary is escaped, the search box keeps what was typed', () => {
    const summary = t('sv', 'unitSearchNone', { query: HOSTILE });
    const card = renderCard('unitSearch', { query: HOSTILE, results: [{ id: '1', name: '[Majorna](https://evil.example)' }], summary, notes: [] }, TEXTS.sv, { flowId: 'f', step: 'unit', rev: 1 });
    const md = markdownTexts(card).join('\n');
    assert.doesNotMatch(md, MD_LINK);
    assert.ok(md.includes('\\[klicka\\]'), md);
    assert.ok(md.includes('\\*\\*fet\\*\\*'));
    assert.ok(md.includes('<script>alert(1)</script>'), 'HTML is shown as the text it is');
    assert.equal(find(card, (r) => r.type === 'Input.Text' && r.id === 'query')?.value, HOSTILE, 'the input keeps the raw text');
    const pick = find(card, (r) => r.type === 'Action.Execute' && r.verb === 'unitPick');
    assert.equal(pick?.title, '[Majorna](https://evil.example)', 'button titles are plain text: unchanged');
    assert.equal((pick?.data as Record<string, unknown>).unitId, '1');
  });

  it('facts are escaped; our own texts are not; `!= \'\'` conditions still work; URLs and action data are untouched', () => {
    const unit = {
      name: '**Enhet**',
      minimumStaffing: '[3](https://evil.example)',
      cooperating: 'Linné',
      freeText: '',
      problems: [],
      unusable: false,
      documents: [{ name: '[Rutin](x)', webUrl: 'https://example.invalid/a_b*c.pdf' }]
    };
    const card = renderCard('unitInfo', { unit }, TEXTS.sv);
    const md = markdownTexts(card);
    assert.ok(md.includes('\\*\\*Enhet\\*\\*'), md.join('|'));
    assert.ok(md.includes('\\[3\\](https:\u200B//evil.example)'), md.join('|'));
    assert.ok(md.includes(TEXTS.sv.minimumStaffing), 'the fact titles (our texts) as they are');
    assert.ok(!md.some((x) => x === '' || x.includes('\uE000')), 'no empty free-text block, no token left');
    const open = find(card, (r) => r.type === 'Action.OpenUrl');
    assert.equal(open?.url, 'https://example.invalid/a_b*c.pdf');
    assert.equal(open?.title, '[Rutin](x)');
  });

  it('private-use characters in input cannot forge a token', () => {
    const card = renderCard('message', { title: 'x', text: 'före \uE0000\uE001 efter [a](b)', buttons: [], color: 'Default' }, TEXTS.sv);
    const md = markdownTexts(card).join('\n');
    assert.ok(md.includes('före \uE0000\uE001 efter \\[a\\](b)'), JSON.stringify(md));
  });

  it('a card without anything to escape is the same as before (no tokens, same object shape)', () => {
    const a = renderCard('message', { title: 'Hej', text: 'Anna-Karin 2026-11-24', buttons: [], color: 'Default' }, TEXTS.sv);
    assert.ok(JSON.stringify(a).includes('Anna-Karin 2026-11-24'));
  });
});
