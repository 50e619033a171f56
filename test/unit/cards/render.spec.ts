/** Card expansion: every template expands in both languages, wires its actions, and stays in what Teams renders. */
import { strict as assert } from 'node:assert';
import { CARD_NAMES, renderCard } from '../../../cards/render';
import { TEXTS, langOf, t } from '../../../bot/texts';

const CTX = { flowId: 'f-1', step: 'candidates', rev: 7 };

function actions(node: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) {
    node.forEach((n) => actions(n, out));
  } else if (node && typeof node === 'object') {
    const r = node as Record<string, unknown>;
    if (typeof r.type === 'string' && r.type.startsWith('Action.')) {
      out.push(r);
    }
    Object.entries(r).forEach(([k, v]) => k !== 'fallback' && actions(v, out));
  }
  return out;
}

describe('cards/render', () => {
  describe('texts', () => {
    it('Swedish and English have the same keys, none empty', () => {
      assert.deepEqual(Object.keys(TEXTS.en).sort(), Object.keys(TEXTS.sv).sort());
      for (const lang of ['sv', 'en'] as const) {
        for (const [k, v] of Object.entries(TEXTS[lang])) {
          assert.ok(v.trim() !== '', `${lang}.${k}`);
        }
      }
    });
    it('placeholders are the same in both languages', () => {
      for (const k of Object.keys(TEXTS.sv) as Array<keyof typeof TEXTS.sv>) {
        const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',');
        assert.equal(ph(TEXTS.en[k]), ph(TEXTS.sv[k]), k);
      }
    });
    const locales: Array<[string | undefined, string]> = [['en-US', 'en'], ['en-GB', 'en'], ['sv-SE', 'sv'], [undefined, 'sv'], ['fi-FI', 'sv']];
    for (const [locale, lang] of locales) {
      it(`locale ${String(locale)} → ${lang}`, () => assert.equal(langOf(locale), lang));
    }
    it('fills placeholders', () => assert.equal(t('sv', 'receiptRef', { id: 'ABC' }), 'Referens: TJ-ABC'));
  });

  for (const name of CARD_NAMES) {
    for (const lang of ['sv', 'en'] as const) {
      it(`${name} (${lang}) expands to a 1.5 card with wired actions and no leftover bindings`, () => {
        const card = renderCard(name, {}, TEXTS[lang], CTX);
        assert.equal(card.type, 'AdaptiveCard');
        assert.equal(card.version, '1.5');
        const json = JSON.stringify(card);
        assert.ok(!json.includes('$include'), 'parts resolved');
        assert.ok(!json.includes('null'), 'no nulls');
        for (const a of actions(card)) {
          if (a.type === 'Action.Execute') {
            const data = a.data as Record<string, unknown>;
            assert.equal(data.verb, a.verb);
            assert.equal(data.flowId, 'f-1');
            assert.equal(data.rev, 7);
            assert.deepEqual((a.fallback as Record<string, unknown>).data, data, 'Submit fallback carries the same data');
          }
        }
      });
    }
  }

  it('a candidate gets a tel: link and three call buttons', () => {
    const card = renderCard(
      'candidates',
      {
        header: { unit: 'U', shift: 's', absent: 'a', staffing: 'x', staffingMet: true },
        candidates: [{ id: 'anna', rank: 1, name: 'Anna', unitLabel: 'Egen enhet', status: '', statusColor: 'Default', warnings: [], tel: 'tel:+46701740605', phoneDisplay: '0701740605' }],
        calls: [],
        anyAccepted: false
      },
      TEXTS.sv,
      CTX
    );
    const acts = actions(card);
    assert.ok(acts.some((a) => a.type === 'Action.OpenUrl' && a.url === 'tel:+46701740605'));
    assert.deepEqual(
      acts.filter((a) => a.verb === 'callRecord').map((a) => (a.data as Record<string, unknown>).outcome),
      ['accepted', 'declined', 'no_answer']
    );
    const toConfirm = acts.find((a) => a.verb === 'toConfirm');
    assert.equal(toConfirm?.isEnabled, false);
  });
});
