/**
 * Admin commands: "behörighet <enhet>" shows a unit's access and the last sync's result for it;
 * "synk" reconciles; "synk torrkörning" returns the plan table; English when the locale is English.
 */
import assert from 'node:assert/strict';
import { createAdminCommands, type AdminCommandHandler } from '../../../bot/admin';
import { createSync, type Sync } from '../../../jobs/sync';
import { silentLogger } from '../../../logger';
import { setManagers, world, writes, type SyncWorld } from './helpers';

describe('admin commands for the permission sync', () => {
  let w: SyncWorld;
  let sync: Sync;
  let admin: AdminCommandHandler;

  beforeEach(async () => {
    w = await world({ notifications: false });
    sync = createSync({ db: w.db, graph: w.graph, logger: silentLogger(), config: { maxRevokeShare: 0.2, intervalMinutes: 0, notifications: false } });
    admin = createAdminCommands({ db: w.db, sync, graph: w.graph });
  });
  afterEach(async () => {
    await sync.stop();
    await w.close();
  });

  it('"synk torrkörning" returns the plan table and changes nothing; "synk" applies', async () => {
    w.tenant.clearRequests();
    const dry = await admin('synk torrkörning', { lang: 'sv' });
    assert.match(dry!, /^Torrkörning, ingenting ändras:/);
    assert.match(dry!, /```\nEnhet\s+Åtgärd/);
    assert.match(dry!, /Enhet 0001\s+Ge mappbehörighet\s+chef1@goteborg.example/);
    assert.deepEqual(writes(w.tenant), []);

    const done = await admin('synk', { lang: 'sv' });
    assert.match(done!, /Behörighetssynk \(administratör\), 10 enheter\.\nÄndrat:/);
    assert.equal(writes(w.tenant).filter((x) => /\/invite$/.test(x)).length, 10);
  });

  it('"behörighet <enhet>" shows folder grants, DG members, what the bot manages, tasks and the last sync', async () => {
    await sync.reconcile({ trigger: 'cli' });
    await setManagers(w.tenant, '10', ['chef3@goteborg.example']);
    await sync.reconcile({ trigger: 'reconcile' });
    const text = (await admin('behörighet enhet 0010', { lang: 'sv' }))!;
    assert.match(text, /^\*\*Enhet 0010\*\* \(id 10, aktiv\)/);
    assert.match(text, /Chefer i enhetslistan: chef3@goteborg.example/);
    assert.match(text, /Mappen "Enhet 0010", direkta behörigheter:\n- chef3@goteborg.example \(write\) – hanteras av boten/);
    assert.doesNotMatch(text, /- chef10@goteborg.example \(write\)/);
    assert.match(text, /DG dg.enhet10@goteborg.example \(distributionslista\), 1 medlemmar:\n- chef10@goteborg.example/);
    assert.match(text, /Öppna manuella uppgifter:\n- Lägg till chef3@goteborg.example i DG-gruppen/);
    assert.match(text, /Senaste synk som omfattade enheten: nr \d+, .* \(regelbunden kontroll\):/);
    assert.match(text, /- tog bort mappbehörighet för chef10@goteborg.example: klart/);
    assert.match(text, /- manuell uppgift chef3@goteborg.example: ej utfört/);
  });

  it('answers in English for an English client, asks which unit, and ignores other text', async () => {
    assert.match((await admin('behörighet 00', { locale: 'en-US' }))!, /^Several units match: Enhet 0001/);
    assert.match((await admin('behörighet finns-inte', { locale: 'en-US' }))!, /^No unit matches "finns-inte"/);
    assert.equal(await admin('behörighet', { locale: 'sv-SE' }), 'Skriv vilken enhet: "behörighet <enhetens namn>".');
    assert.match((await admin('behörighet Enhet 0002', { locale: 'en-US' }))!, /No sync has covered the unit yet\./);
    assert.equal(await admin('hej', { lang: 'sv' }), undefined);
    assert.equal(await admin('synk nu genast', { lang: 'sv' }), undefined);
  });
});
