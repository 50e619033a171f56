/**
 * The bot's answers to hostile or racing turns, in process: an `adaptiveCard/action` invoke without
 * `value.action` is a 400 (not botbuilder's TypeError → 501), and a conversation-state race between
 * two instances (a double click handled by both at once) tells the loser "already handled", while
 * any other failure keeps the generic text.
 */
import { strict as assert } from 'node:assert';
import { ConversationState, TestAdapter, type Activity, type Storage, type StoreItems } from 'botbuilder';
import { SqlStorage } from '../../bot/storage';
import { TrygghetsjourenBot } from '../../bot/TrygghetsjourenBot';
import { isStateConflict, turnErrorHandler } from '../../bot/adapter';
import { TEXTS } from '../../bot/texts';
import { ETagConflictError, StateStore } from '../../store/stateStore';
import type { Db } from '../../store/db';
import { JOURLEDARE, fixedClock, makeHarness, openStore, silent, type Harness } from './harness';

const sv = TEXTS.sv;
const en = TEXTS.en;
const from = { id: `29:${JOURLEDARE.id}`, name: JOURLEDARE.name, aadObjectId: JOURLEDARE.id };

function drain(adapter: TestAdapter): Array<Partial<Activity>> {
  const out: Array<Partial<Activity>> = [];
  let a: Partial<Activity> | undefined;
  while ((a = adapter.activeQueue.shift())) {
    out.push(a);
  }
  return out;
}

describe('bot: hostile invokes and state races', function () {
  this.timeout(30_000);
  let db: Db;
  let h: Harness;

  before(async () => {
    db = await openStore();
    h = makeHarness(db, { clock: fixedClock('2026-11-24T22:14:00+01:00') });
  });
  after(async () => {
    await db?.close();
  });

  describe('adaptiveCard/action invoke without an action', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['no value', undefined, /needs a value/],
      ['value without action', {}, /needs value\.action/],
      ['action null', { action: null }, /needs value\.action/],
      ['action a string', { action: 'confirm' }, /needs value\.action/]
    ];
    for (const [name, value, message] of cases) {
      it(`${name} → 400 with a clear message, the flow is not run`, async () => {
        const calls = (h.deps.graph as unknown as { calls: string[] }).calls;
        const before = calls.length;
        await h.adapter.processActivity({ type: 'invoke', name: 'adaptiveCard/action', value, from, locale: 'sv-SE' } as Activity);
        const sent = drain(h.adapter);
        assert.equal(sent.length, 1, JSON.stringify(sent));
        assert.equal(sent[0].type, 'invokeResponse');
        const res = sent[0].value as { status: number; body: { statusCode: number; type: string; value: { code: string; message: string } } };
        assert.equal(res.status, 400);
        assert.equal(res.body.type, 'application/vnd.microsoft.error');
        assert.match(res.body.value.message, message);
        assert.equal(calls.length, before, 'no Graph call: not even the authorization check');
      });
    }

    it('a well-formed Action.Execute still reaches the flow (control)', async () => {
      await h.adapter.processActivity({
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'start', data: {} } },
        from,
        locale: 'sv-SE'
      } as Activity);
      const sent = drain(h.adapter);
      const res = sent.find((a) => a.type === 'invokeResponse')?.value as { status: number; body: { type: string } };
      assert.equal(res.status, 200);
      assert.equal(res.body.type, 'application/vnd.microsoft.card.adaptive');
    });
  });

  describe('onTurnError', () => {
    it('recognises the store and botbuilder eTag conflicts, and nothing else', () => {
      assert.ok(isStateConflict(new ETagConflictError('k')));
      assert.ok(isStateConflict(new Error('Storage: error writing "k" due to eTag conflict.')));
      assert.ok(!isStateConflict(new Error('connection refused')));
      assert.ok(!isStateConflict(new TypeError('x is undefined')));
    });

    const turn = async (error: Error, activity: Partial<Activity>): Promise<Array<Partial<Activity>>> => {
      const adapter = new TestAdapter(async () => {
        throw error;
      });
      adapter.onTurnError = turnErrorHandler(silent);
      await adapter.processActivity({ from, ...activity } as Activity);
      return drain(adapter);
    };

    it('a state conflict on a message turn: "already handled", in the user\'s language', async () => {
      assert.deepEqual((await turn(new ETagConflictError('k'), { type: 'message', text: 'ny', locale: 'sv-SE' })).map((a) => a.text), [sv.cardAlreadyHandled]);
      assert.deepEqual((await turn(new ETagConflictError('k'), { type: 'message', text: 'new', locale: 'en-US' })).map((a) => a.text), [en.cardAlreadyHandled]);
      assert.match(sv.cardAlreadyHandled, /^Det här kortet har redan hanterats/);
    });

    it('a state conflict on a card invoke: the invoke response says "already handled" instead of a card', async () => {
      const sent = await turn(new ETagConflictError('k'), { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'confirm' } }, locale: 'sv-SE' });
      assert.equal(sent.length, 1);
      assert.equal(sent[0].type, 'invokeResponse');
      assert.deepEqual((sent[0].value as { body: unknown }).body, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: sv.cardAlreadyHandled });
    });

    it('any other error keeps the generic text (not masked as "already handled")', async () => {
      assert.deepEqual((await turn(new Error('boom'), { type: 'message', text: 'ny', locale: 'sv-SE' })).map((a) => a.text), [sv.turnFailed]);
      assert.deepEqual((await turn(new TypeError('x'), { type: 'message', text: 'ny', locale: 'en-GB' })).map((a) => a.text), [en.turnFailed]);
    });
  });

  it('two instances handle the same click at once: the loser says "already handled", the winner\'s state stands', async () => {
    // Both read the conversation state before either writes: the second write's eTag is stale.
    let reads = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    class GatedStorage implements Storage {
      private readonly inner = new SqlStorage(new StateStore(db));
      async read(keys: string[]): Promise<StoreItems> {
        const items = await this.inner.read(keys);
        if (++reads === 2) {
          release();
        }
        return items;
      }
      async write(changes: StoreItems): Promise<void> {
        await bothRead;
        await this.inner.write(changes);
      }
      async delete(keys: string[]): Promise<void> {
        await this.inner.delete(keys);
      }
    }
    // A first turn stores the conversation's state, so both instances read it with an eTag.
    const setup = new TestAdapter(async (ctx) => {
      await new TrygghetsjourenBot({ flow: h.deps, conversationState: new ConversationState(new SqlStorage(new StateStore(db))), logger: silent }).run(ctx);
    });
    await setup.processActivity({ type: 'message', text: 'ny', from, locale: 'sv-SE' } as Activity);
    drain(setup);
    const instance = () => {
      const bot = new TrygghetsjourenBot({ flow: h.deps, conversationState: new ConversationState(new GatedStorage()), logger: silent });
      const adapter = new TestAdapter(async (ctx) => bot.run(ctx));
      adapter.onTurnError = turnErrorHandler(silent);
      return adapter;
    };
    const [a, b] = [instance(), instance()];
    await Promise.all([a, b].map((ad) => ad.processActivity({ type: 'message', text: 'ny', from, locale: 'sv-SE' } as Activity)));
    const texts = [drain(a), drain(b)].map((sent) => sent.map((x) => x.text ?? (x.attachments?.length ? 'card' : '')));
    const losers = texts.filter((t) => t.includes(sv.cardAlreadyHandled));
    assert.equal(losers.length, 1, JSON.stringify(texts));
    assert.ok(!texts.flat().includes(sv.turnFailed), 'no generic error text');
  });
});
