import { strict as assert } from 'node:assert';
import { COMPENSATION_SENTENCE, escapeHtml, type NoticeData, renderNotice, stripPhoneNumbers } from '../../../core/notice';

describe('core/notice', () => {
  const DATA: NoticeData = {
    callInId: 'TJ-2026-000123',
    unitName: 'Hemtjänst Majorna',
    shift: { date: '2026-11-24', start: '21:00', end: '07:00' },
    absentName: 'Åsa Öberg',
    orderedIn: [{ name: 'Erik Lind' }, { name: 'Karin Sjö', unitName: 'Hemtjänst Linné' }],
    decidedBy: 'Jonas Jour',
    decidedAt: new Date('2026-11-24T19:14:00Z')
  };

  it('new: subject, text and html carry every required detail', () => {
    const n = renderNotice('new', DATA);
    assert.equal(n.subject, 'Beordrad personal: Hemtjänst Majorna, tisdag 24 november 2026 kl. 21:00–07:00');
    for (const part of [
      'Trygghetsjouren har beordrat in personal till Hemtjänst Majorna.',
      'Enhet: Hemtjänst Majorna',
      'Arbetspass: tisdag 24 november 2026 kl. 21:00–07:00',
      'Frånvarande: Åsa Öberg',
      'Beordrad: Erik Lind, Karin Sjö (Hemtjänst Linné)',
      'Beslut av jourledare: Jonas Jour, tisdag 24 november 2026 kl. 20:14',
      'Referens: TJ-2026-000123',
      COMPENSATION_SENTENCE
    ]) {
      assert.ok(n.text.includes(part), part);
      for (const side of part.split(': ')) {
        assert.ok(n.html.includes(escapeHtml(side)), side);
      }
    }
    assert.match(n.html, /^<!DOCTYPE html>/);
  });

  it('new with nobody ordered in', () => {
    const n = renderNotice('new', { ...DATA, orderedIn: [] });
    assert.match(n.text, /har inte kunnat beordra in någon/);
    assert.match(n.text, /Beordrad: ingen/);
  });

  it('correction carries the reason and its own wording', () => {
    const n = renderNotice('correction', { ...DATA, changeReason: 'Fel sluttid angavs.' });
    assert.match(n.subject, /^Rättelse – beordrad personal: Hemtjänst Majorna/);
    assert.match(n.text, /har rättat en tidigare beordring/);
    assert.match(n.text, /Orsak till rättelsen: Fel sluttid angavs\./);
    assert.match(n.text, /Ändrat av jourledare: Jonas Jour/);
  });

  it('cancellation has its own wording', () => {
    const n = renderNotice('cancellation', { ...DATA, orderedIn: [{ name: 'Erik Lind' }], changeReason: 'Åsa kom till jobbet.' });
    assert.match(n.subject, /^Återkallad beordring: Hemtjänst Majorna/);
    assert.match(n.text, /har återkallat beordringen till Hemtjänst Majorna\. Erik Lind ska inte arbeta passet/);
    assert.match(n.text, /Beordringen gällde: Erik Lind/);
    assert.match(n.text, /Orsak: Åsa kom till jobbet\./);
    const none = renderNotice('cancellation', { ...DATA, orderedIn: [] });
    assert.match(none.text, /har återkallat beordringen till Hemtjänst Majorna\.\n/);
  });

  it('escapes every name and text in the HTML', () => {
    const evil = '<script>alert("x")</script>&\'';
    const n = renderNotice('correction', {
      ...DATA,
      unitName: `Enhet ${evil}`,
      absentName: evil,
      orderedIn: [{ name: evil, unitName: evil }],
      decidedBy: evil,
      changeReason: `${evil}\nrad två`,
      message: evil,
      callInId: evil
    });
    assert.ok(!n.html.includes('<script>'));
    assert.ok(!/"x"/.test(n.html));
    assert.ok(n.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'));
    assert.ok(n.html.includes('<br>rad två'));
  });

  it('never includes phone numbers, even typed into free text', () => {
    const n = renderNotice('new', {
      ...DATA,
      absentName: 'Åsa Öberg 070-123 45 67',
      message: 'Erik nås på 0701234567 eller +46 70 765 43 21, ring 031-365 85 85 vid frågor.',
      decidedBy: 'Jonas Jour'
    });
    for (const s of [n.text, n.html, n.subject]) {
      assert.ok(!/\d{3}[\s-]?\d{2}\s?\d{2}/.test(s.replace(/2026|\d\d:\d\d/g, '')), s);
    }
    assert.match(n.text, /Meddelande: Erik nås på \[nummer borttaget\] eller \[nummer borttaget\]/);
  });

  it('subject is one line', () => {
    const n = renderNotice('new', { ...DATA, unitName: 'Enhet\r\nBcc: x@example.com' });
    assert.ok(!/[\r\n]/.test(n.subject));
  });

  it('stripPhoneNumbers leaves times, dates and short numbers', () => {
    assert.equal(stripPhoneNumbers('Pass 21:00–07:00 den 2026-11-24, rum 12'), 'Pass 21:00–07:00 den 2026-11-24, rum 12');
    assert.equal(stripPhoneNumbers('ring 08-123 45 67'), 'ring [nummer borttaget]');
    assert.equal(stripPhoneNumbers('sedan 2026-11-24 21:00'), 'sedan 2026-11-24 21:00');
  });
});
