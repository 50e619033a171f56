/**
 * cards/render keeps one parsed Template per card name across turns: expanding it for one user or
 * flow must never leak into the next, a card handed out must not share anything with later ones,
 * and data is bound, never parsed as a template.
 */
import { strict as assert } from 'node:assert';
import * as ACData from 'adaptivecards-templating';
import { renderCard } from '../../../cards/render';
import { TEXTS } from '../../../bot/texts';
import correctTemplate from '../../../cards/templates/correct.json';

const CTX_A = { flowId: 'flow-a', step: 'candidates', rev: 3 };
const CTX_B = { flowId: 'flow-b', step: 'candidates', rev: 9 };

const candidate = (id: string, name: string, phone: string) => ({
  id,
  rank: 1,
  name,
  unitLabel: 'Egen enhet',
  status: '',
  statusColor: 'Default',
  warnings: [],
  tel: `tel:${phone}`,
  phoneDisplay: phone
});

const DATA_A = {
  header: { unit: 'Hemtjänst Majorna', shift: 'tisdag 21:00–07:00', absent: 'Frånvarande: Anna Andersson – sjuk', staffing: 'Bemanning 1 av 2', staffingMet: false },
  candidates: [candidate('bertil-berg', 'Bertil Berg', '+46701740606'), candidate('cecilia-carlsson', 'Cecilia Carlsson', '+46701740607')],
  calls: [{ time: '20:15', name: 'Bertil Berg', outcome: 'Svarar inte' }],
  anyAccepted: false,
  notes: [{ text: 'A note for A', color: 'Warning' }]
};
const DATA_B = {
  header: { unit: 'Hemtjänst Linné', shift: 'onsdag 22:00–06:00', absent: 'Frånvarande: Fatima Fors – vab', staffing: 'Bemanning 2 av 2', staffingMet: true },
  candidates: [candidate('david-dahl', 'David Dahl', '+46701740608')],
  calls: [],
  anyAccepted: true
};

function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') {
    out.push(node);
  } else if (Array.isArray(node)) {
    node.forEach((n) => strings(n, out));
  } else if (node && typeof node === 'object') {
    Object.values(node).forEach((v) => strings(v, out));
  }
  return out;
}

function scribble(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => (typeof n === 'string' ? (node[i] = 'X') : scribble(n)));
  } else if (node && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(rec)) {
      if (typeof v === 'string') {
        rec[k] = 'X';
      } else {
        scribble(v);
      }
    }
    rec.injected = true;
  }
}

describe('cards/render: one parsed template per card, reused', () => {
  it('a card for one flow carries nothing of the card expanded before it for another', () => {
    const a = renderCard('candidates', DATA_A, TEXTS.sv, CTX_A);
    const b = renderCard('candidates', DATA_B, TEXTS.en, CTX_B);
    const bText = JSON.stringify(b);
    for (const s of ['Anna Andersson', 'Bertil Berg', 'Cecilia Carlsson', '+46701740606', 'Hemtjänst Majorna', 'A note for A', 'flow-a', TEXTS.sv.btnAccepted]) {
      assert.ok(!bText.includes(s), `B's card leaks "${s}"`);
    }
    assert.ok(bText.includes('David Dahl') && bText.includes('flow-b') && bText.includes(TEXTS.en.btnAccepted));
    // And A again is exactly what it was.
    assert.deepEqual(renderCard('candidates', DATA_A, TEXTS.sv, CTX_A), a);
  });

  it('the same as a freshly parsed template, every time', () => {
    // Reference: a new Template per expansion (what render did before). `correct` has no parts and
    // no actions in its body, and this data nothing to escape or drop, so the bodies compare as they are.
    const data = {
      title: 'Rätta TJ-ABC',
      unitName: 'Hemtjänst Linné',
      problems: ['Problem ett', 'Problem två'],
      draft: { date: '2026-11-24', start: '21:00', end: '07:00', orderedIn: 'david-dahl', reason: 'Fel person' },
      choices: [{ id: 'david-dahl', name: 'David Dahl' }, { id: 'elin-ek', name: 'Elin Ek' }]
    };
    for (const lang of ['sv', 'en', 'sv'] as const) {
      const fresh = new ACData.Template(correctTemplate).expand({ $root: { notes: [], ...data, t: TEXTS[lang] } }) as Record<string, unknown>;
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(renderCard('correct', data, TEXTS[lang], CTX_B).body, fresh.body);
      }
    }
  });

  it('changing a card that was handed out changes no later card', () => {
    const first = renderCard('candidates', DATA_A, TEXTS.sv, CTX_A);
    const copy = structuredClone(first);
    scribble(first);
    assert.deepEqual(renderCard('candidates', DATA_A, TEXTS.sv, CTX_A), copy);
  });

  it('the data given is not changed, and later changes to it do not reach an earlier card', () => {
    const data = structuredClone(DATA_A);
    const card = renderCard('candidates', data, TEXTS.sv, CTX_A);
    assert.deepEqual(data, DATA_A);
    const before = structuredClone(card);
    data.candidates[0].name = 'Ändrad';
    data.notes[0].text = 'Ändrad';
    assert.deepEqual(card, before);
  });

  it('a ${…} binding in data is shown as typed, never evaluated (also with the template already parsed)', () => {
    renderCard('message', { text: 'warm up' }, TEXTS.sv);
    const card = renderCard('message', { title: '${t.btnNew}', text: '${string(1+1)} ${text}', buttons: [] }, TEXTS.sv);
    const texts = strings(card.body);
    assert.ok(texts.includes('${t.btnNew}'), JSON.stringify(texts));
    assert.ok(texts.includes('${string(1+1)} ${text}'), JSON.stringify(texts));
  });

  it('interleaved users, languages and flows: each card has its own', () => {
    const users = Array.from({ length: 20 }, (_, i) => ({
      lang: i % 2 === 0 ? ('sv' as const) : ('en' as const),
      ctx: { flowId: `flow-${i}`, step: 'candidates', rev: i },
      data: { ...DATA_B, candidates: [candidate(`p-${i}`, `Person ${i}`, `+4670000${String(i).padStart(4, '0')}`)] }
    }));
    for (const u of users) {
      const card = renderCard('candidates', u.data, TEXTS[u.lang], u.ctx);
      const json = JSON.stringify(card);
      const names = json.match(/Person \d+/g) ?? [];
      assert.deepEqual([...new Set(names)], [`Person ${u.ctx.rev}`]);
      assert.deepEqual([...new Set(json.match(/flow-\d+/g))], [u.ctx.flowId]);
      assert.ok(json.includes(TEXTS[u.lang].btnAccepted));
    }
  });
});
