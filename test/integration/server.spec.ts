/**
 * The HTTP surface on its own (server.ts with the real adapter of bot/adapter.ts, the turn logic a
 * stub): /api/messages takes only application/json (form and multipart bodies are refused 415
 * before they are read or parsed), a body that is not a minimal activity is refused 400 with the
 * reason, and with an app id configured an unauthenticated request is 401 whatever its body.
 */
import { strict as assert } from 'node:assert';
import type { Activity } from 'botbuilder';
import { startServer, type RunningServer } from '../../server';
import { createAdapter, processActivity } from '../../bot/adapter';
import { silentLogger } from '../../logger';

const APP_ID = '7d4f0e2a-1111-4222-8333-944445555666';

const ACTIVITY = {
  type: 'message',
  id: 'a1',
  text: 'hej',
  channelId: 'msteams',
  // A reply would go here: nothing listens, and the stub logic sends nothing.
  serviceUrl: 'http://127.0.0.1:9/',
  from: { id: '29:x', name: 'X', aadObjectId: 'x' },
  recipient: { id: '28:bot', name: 'bot' },
  conversation: { id: 'conv-1' }
};

async function startWith(appId?: string): Promise<{ server: RunningServer; turns: Array<Partial<Activity>>; notified: unknown[] }> {
  const logger = silentLogger();
  // With an app id: signing metadata on a closed loopback port, so nothing is fetched from the Internet.
  const adapter = createAdapter(appId ? { appId, appPassword: 'x', tenantId: '22222222-2222-2222-2222-222222222222', openIdMetadataUrl: 'http://127.0.0.1:9/.well-known/openidconfiguration' } : {}, logger);
  const turns: Array<Partial<Activity>> = [];
  const notified: unknown[] = [];
  const server = await startServer(
    {
      messages: (req, res) =>
        processActivity(adapter, req, res, async (ctx) => {
          turns.push({ ...ctx.activity });
        }),
      graphNotifications: async (req, res) => {
        notified.push(req.body);
        res.send(202);
      },
      ready: async () => ({ ok: true })
    },
    { host: '127.0.0.1', port: 0, logger }
  );
  return { server, turns, notified };
}

describe('server: /api/messages accepts only JSON activities', function () {
  this.timeout(20_000);

  describe('local mode (no app id)', () => {
    let s: Awaited<ReturnType<typeof startWith>>;
    before(async () => {
      s = await startWith();
    });
    after(async () => {
      await s?.server.close();
    });
    beforeEach(() => {
      s.turns.length = 0;
      s.notified.length = 0;
    });
    const post = (body: string, contentType?: string) =>
      fetch(`${s.server.url}/api/messages`, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });

    const wrongTypes: Array<[string, string, string]> = [
      ['form-urlencoded (that happens to form an activity)', new URLSearchParams({ type: 'message', text: 'hej', serviceUrl: 'http://127.0.0.1:9/', 'conversation[id]': 'c' }).toString(), 'application/x-www-form-urlencoded'],
      ['multipart', '--x\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nhej\r\n--x--\r\n', 'multipart/form-data; boundary=x'],
      ['text/plain holding JSON', JSON.stringify(ACTIVITY), 'text/plain'],
      ['application/xml', '<a/>', 'application/xml']
    ];
    for (const [name, body, type] of wrongTypes) {
      it(`${name} → 415 with a JSON message, no turn`, async () => {
        const res = await post(body, type);
        assert.equal(res.status, 415);
        assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        const json = (await res.json()) as { message: string };
        assert.match(json.message, /only application\/json/);
        assert.equal(s.turns.length, 0);
      });
    }

    it('application/json with a charset is accepted (control: the turn runs)', async () => {
      const res = await post(JSON.stringify(ACTIVITY), 'application/json; charset=utf-8');
      assert.equal(res.status, 200);
      assert.equal(s.turns.length, 1);
      assert.equal(s.turns[0].text, 'hej');
    });

    const malformed: Array<[string, unknown, RegExp]> = [
      ['an activity without type', { ...ACTIVITY, type: undefined }, /no type/],
      ['an activity with an empty type', { ...ACTIVITY, type: ' ' }, /no type/],
      ['an activity with a numeric type', { ...ACTIVITY, type: 42 }, /no type/],
      ['an activity without conversation', { ...ACTIVITY, conversation: undefined }, /no conversation\.id/],
      ['an activity with conversation.id not a string', { ...ACTIVITY, conversation: { id: 7 } }, /no conversation\.id/],
      ['an activity without serviceUrl', { ...ACTIVITY, serviceUrl: undefined }, /no serviceUrl/],
      ['an activity with from a string', { ...ACTIVITY, from: 'me' }, /malformed from/],
      ['JSON null', null, /not a JSON object/],
      ['a JSON array', [ACTIVITY], /not a JSON object/],
      ['a JSON string', 'hej', /not a JSON object/]
    ];
    for (const [name, body, reason] of malformed) {
      it(`${name} → 400 naming the problem, no turn`, async () => {
        const res = await post(JSON.stringify(body), 'application/json');
        assert.equal(res.status, 400);
        const json = (await res.json()) as { error: string; message: string };
        assert.equal(json.error, 'bad activity');
        assert.match(json.message, reason);
        assert.equal(s.turns.length, 0);
      });
    }

    it('an activity without from still reaches the bot (which refuses it politely)', async () => {
      const res = await post(JSON.stringify({ ...ACTIVITY, from: undefined }), 'application/json');
      assert.equal(res.status, 200);
      assert.equal(s.turns.length, 1);
    });

    it('the notification route keeps non-JSON bodies as text and parses no form or multipart', async () => {
      const form = await fetch(`${s.server.url}/api/graph/notifications`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
      assert.equal(form.status, 202);
      const multi = await fetch(`${s.server.url}/api/graph/notifications`, { method: 'POST', headers: { 'content-type': wrongTypes[1][2] }, body: wrongTypes[1][1] });
      assert.equal(multi.status, 202);
      const json = await fetch(`${s.server.url}/api/graph/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value":[]}' });
      assert.equal(json.status, 202);
      // Form: kept as the raw text; multipart: not even read (the handler may read the stream itself).
      assert.deepEqual(s.notified.map((b) => (Buffer.isBuffer(b) ? b.toString() : b)), ['a=b', undefined, { value: [] }]);
    });
  });

  describe('with an app id: authentication first', () => {
    let s: Awaited<ReturnType<typeof startWith>>;
    before(async () => {
      s = await startWith(APP_ID);
    });
    after(async () => {
      await s?.server.close();
    });

    it('a malformed activity without a token → 401, not 400 (nothing is told to an unauthenticated caller)', async () => {
      const res = await fetch(`${s.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...ACTIVITY, type: undefined }) });
      assert.equal(res.status, 401);
      assert.equal(s.turns.length, 0);
    });

    it('a well-formed activity without a token → 401 (control)', async () => {
      const res = await fetch(`${s.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ACTIVITY) });
      assert.equal(res.status, 401);
      assert.equal(s.turns.length, 0);
    });

    it('the content type is checked before anything: a form body → 415', async () => {
      const res = await fetch(`${s.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
      assert.equal(res.status, 415);
    });
  });
});
