/**
 * The call-in repository's statement-saving paths: `create` (row and `created` event in one
 * statement, the record returned) and `ConversationRefs.save` skipping a write that would store the
 * same row again, without ever keeping another user's or an outdated reference.
 */
import assert from 'node:assert/strict';
import { storeTargets } from '../helpers/db';
import type { Db, Sql } from '../../store/db';
import { CallIns, ConversationRefs, type NewCallIn } from '../../store/callIns';

const DECIDED = new Date('2026-11-24T19:20:00Z');
const REC: NewCallIn = {
  flowId: 'flow-1',
  unitId: '1',
  unitName: 'Hemtjänst Majorna',
  dgAddress: 'hemtjanst.majorna@goteborg.example',
  shiftDate: '2026-11-24',
  startTime: '21:00',
  endTime: '07:00',
  shiftStart: new Date('2026-11-24T20:00:00Z'),
  shiftEnd: new Date('2026-11-25T06:00:00Z'),
  absent: { staffId: 'anna-andersson', name: 'Anna Andersson', reason: 'sjuk' },
  orderedIn: [{ staffId: 'bertil-berg', name: 'Bertil Berg', unitId: '1', unitName: 'Hemtjänst Majorna' }],
  working: [],
  onLeave: [],
  calls: [],
  choices: [],
  decidedById: 'aad-1',
  decidedByName: 'Jourledare Ett',
  decidedAt: DECIDED,
  conversationRef: { conversation: { id: 'a:1' } },
  receiptActivityId: 'act-1',
  locale: 'sv-SE'
};

const REF = (activityId: string, conversation = 'a:1') => ({ activityId, conversation: { id: conversation }, serviceUrl: 'https://smba.example/', channelId: 'msteams' });

/** Counts the statements that reach the database. */
function counting(db: Db): { sql: Sql; count: () => number } {
  let n = 0;
  return {
    sql: {
      query: (text, params) => {
        n++;
        return db.query(text, params);
      }
    },
    count: () => n
  };
}

for (const target of storeTargets()) {
  describe(`store/callIns on ${target.name}`, () => {
    let db: Db;

    beforeEach(async () => {
      db = await target.open();
    });
    afterEach(async () => {
      await db.close();
    });

    describe('CallIns.create', () => {
      it('stores the call-in and its created event in one statement and returns the record as stored', async () => {
        const callIns = new CallIns(db);
        const c = counting(db);
        const created = await db.transaction(async (tx) => {
          let n = 0;
          const rec = await callIns.create({ query: (t, p) => (n++, tx.query(t, p)) }, REC);
          assert.equal(n, 1);
          return rec;
        });
        assert.ok(created);
        assert.equal(c.count(), 0);
        assert.deepEqual(created, await callIns.get(created.id));
        assert.equal(created.status, 'confirmed');
        assert.equal(created.version, 1);
        assert.equal(created.absent.name, 'Anna Andersson');
        assert.deepEqual(created.decidedAt, DECIDED);
        const events = await callIns.events(created.id);
        assert.deepEqual(
          events.map((e) => [e.kind, e.actorId, e.actorName, e.at.toISOString(), e.reason, e.data]),
          [['created', 'aad-1', 'Jourledare Ett', DECIDED.toISOString(), undefined, undefined]]
        );
      });

      it('a second confirm of the same flow stores nothing and returns undefined (no second event)', async () => {
        const callIns = new CallIns(db);
        const first = await db.transaction((tx) => callIns.create(tx, REC));
        const second = await db.transaction((tx) => callIns.create(tx, { ...REC, decidedByName: 'Någon Annan' }));
        assert.equal(second, undefined);
        assert.equal(await db.transaction((tx) => callIns.insert(tx, REC)), undefined);
        assert.equal((await callIns.events(first!.id)).length, 1);
        assert.equal((await callIns.byFlowId('flow-1'))?.decidedByName, 'Jourledare Ett');
      });

      it("settles the flow's pending reminder with it, and no other flow's", async () => {
        const callIns = new CallIns(db);
        const reminder = (flowId: string) => ({ flowId, userId: 'aad-1', conversationRef: {}, text: 'Påminnelse', dueAt: new Date('2026-11-24T20:00:00Z') });
        await callIns.scheduleReminder(reminder('flow-1'));
        await callIns.scheduleReminder(reminder('flow-other'));
        await db.transaction((tx) => callIns.create(tx, REC));
        assert.equal(await callIns.reminderStatus('flow-1'), 'resolved');
        assert.equal(await callIns.reminderStatus('flow-other'), 'pending');
      });

      it('a replayed confirm touches no reminder (a sent one stays sent)', async () => {
        const callIns = new CallIns(db);
        await db.transaction((tx) => callIns.create(tx, REC));
        await callIns.scheduleReminder({ flowId: 'flow-1', userId: 'aad-1', conversationRef: {}, text: 'x', dueAt: new Date() });
        // A reminder re-armed for the same flow after its confirm (cannot happen in the flow, but the
        // replay must not touch it): still pending.
        await db.query(`update callin_reminders set status = 'pending' where flow_id = 'flow-1'`);
        assert.equal(await db.transaction((tx) => callIns.create(tx, REC)), undefined);
        assert.equal(await callIns.reminderStatus('flow-1'), 'pending');
      });

      it('rolled back with its transaction: no row, no event, the reminder still pending', async () => {
        const callIns = new CallIns(db);
        await callIns.scheduleReminder({ flowId: 'flow-1', userId: 'aad-1', conversationRef: {}, text: 'x', dueAt: new Date() });
        await assert.rejects(
          db.transaction(async (tx) => {
            await callIns.create(tx, REC);
            throw new Error('outbox down');
          }),
          /outbox down/
        );
        assert.equal(await callIns.byFlowId('flow-1'), undefined);
        assert.equal((await db.query('select * from call_in_events')).rows.length, 0);
        assert.equal(await callIns.reminderStatus('flow-1'), 'pending');
      });

      it('insert still returns the new id', async () => {
        const callIns = new CallIns(db);
        const id = await db.transaction((tx) => callIns.insert(tx, { ...REC, flowId: 'flow-2', id: 'ABCDEFGH' }));
        assert.equal(id, 'ABCDEFGH');
        assert.equal((await callIns.events(id)).length, 1);
      });
    });

    describe('noticeSent / noticeFailed', () => {
      it('one statement each; the first stamps the row, a later one only adds its event', async () => {
        const callIns = new CallIns(db);
        const rec = await db.transaction((tx) => callIns.create(tx, REC));
        const id = rec!.id;
        const c = counting(db);
        const counted = new CallIns({ ...db, query: c.sql.query });
        const t1 = new Date('2026-11-24T19:21:00Z');
        const t2 = new Date('2026-11-24T19:30:00Z');
        await counted.noticeSent(id, 'notice:x:new', t1, true);
        assert.equal(c.count(), 1);
        await callIns.noticeSent(id, 'notice:x:correction:2', t2, false);
        assert.deepEqual((await callIns.get(id))?.noticeSentAt, t1);
        await callIns.noticeFailed(id, 'notice:x:cancel:3', t2, 'boom'.repeat(200), false);
        assert.equal((await callIns.get(id))?.noticeFailedAt, undefined);
        await callIns.noticeFailed(id, 'notice:x:cancel:3', t2, 'boom', true);
        assert.deepEqual((await callIns.get(id))?.noticeFailedAt, t2);
        const events = await callIns.events(id);
        assert.deepEqual(
          events.map((e) => [e.kind, e.at.toISOString(), e.data, e.actorId, e.reason]),
          [
            ['created', DECIDED.toISOString(), undefined, 'aad-1', undefined],
            ['notice_sent', t1.toISOString(), { key: 'notice:x:new' }, undefined, undefined],
            ['notice_sent', t2.toISOString(), { key: 'notice:x:correction:2' }, undefined, undefined],
            ['notice_failed', t2.toISOString(), { key: 'notice:x:cancel:3', error: 'boom'.repeat(125) }, undefined, undefined],
            ['notice_failed', t2.toISOString(), { key: 'notice:x:cancel:3', error: 'boom' }, undefined, undefined]
          ]
        );
      });

      it('an unknown call-in is refused and stamps nothing', async () => {
        const callIns = new CallIns(db);
        await assert.rejects(callIns.noticeSent('NOSUCHID', 'k', new Date(), true));
        assert.equal((await db.query('select * from call_in_events')).rows.length, 0);
      });
    });

    describe('ConversationRefs.save', () => {
      async function rows(): Promise<Array<{ user_id: string; ref: { activityId?: string; conversation: { id: string } }; locale: string | null; is_admin: boolean }>> {
        return (await db.query<{ user_id: string; ref: { activityId?: string; conversation: { id: string } }; locale: string | null; is_admin: boolean }>(
          'select user_id, ref, locale, is_admin from conversation_refs order by user_id'
        )).rows;
      }

      it('skips a write that would store the same row (only the activity id differs)', async () => {
        const c = counting(db);
        const refs = new ConversationRefs(c.sql);
        await refs.save('u1', REF('m1'), 'sv-SE', false);
        await refs.save('u1', REF('m2'), 'sv-SE', false);
        await refs.save('u1', REF('m3'), 'sv-SE', false);
        assert.equal(c.count(), 1);
        assert.equal((await rows())[0].ref.conversation.id, 'a:1');
      });

      it('writes again when the conversation, locale or admin flag changes, and per user', async () => {
        const c = counting(db);
        const refs = new ConversationRefs(c.sql);
        await refs.save('u1', REF('m1'), 'sv-SE', false);
        await refs.save('u1', REF('m2', 'a:other'), 'sv-SE', false);
        assert.equal((await rows())[0].ref.conversation.id, 'a:other');
        await refs.save('u1', REF('m3', 'a:other'), 'en-US', false);
        assert.equal((await rows())[0].locale, 'en-US');
        await refs.save('u1', REF('m4', 'a:other'), 'en-US', true);
        assert.equal((await rows())[0].is_admin, true);
        await refs.save('u2', REF('m5', 'a:other'), 'en-US', true);
        assert.equal(c.count(), 5);
        assert.deepEqual((await rows()).map((r) => r.user_id), ['u1', 'u2']);
        assert.deepEqual((await refs.admins()).map((a) => a.userId), ['u1', 'u2']);
      });

      it('an earlier reference saved again after a change is written (the memo holds only the last)', async () => {
        const c = counting(db);
        const refs = new ConversationRefs(c.sql);
        await refs.save('u1', REF('m1', 'a:1'), 'sv-SE', false);
        await refs.save('u1', REF('m2', 'a:2'), 'sv-SE', false);
        await refs.save('u1', REF('m3', 'a:1'), 'sv-SE', false);
        assert.equal(c.count(), 3);
        assert.equal((await rows())[0].ref.conversation.id, 'a:1');
      });

      it('a failed write is not remembered: the next turn writes again', async () => {
        let fail = true;
        let n = 0;
        const refs = new ConversationRefs({
          query: (t, p) => {
            n++;
            if (fail) {
              return Promise.reject(new Error('store down'));
            }
            return db.query(t, p);
          }
        });
        await assert.rejects(refs.save('u1', REF('m1'), 'sv-SE', false), /store down/);
        fail = false;
        await refs.save('u1', REF('m2'), 'sv-SE', false);
        assert.equal(n, 2);
        assert.equal((await rows()).length, 1);
      });

      it('each instance keeps its own memo (a second instance writes its own reference)', async () => {
        const c = counting(db);
        const a = new ConversationRefs(c.sql);
        const b = new ConversationRefs(c.sql);
        await a.save('u1', REF('m1', 'a:1'), 'sv-SE', false);
        await b.save('u1', REF('m2', 'a:2'), 'sv-SE', false);
        assert.equal(c.count(), 2);
        assert.equal((await rows())[0].ref.conversation.id, 'a:2');
      });
    });
  });
}
