/**
 * The call-in bot as index.ts wires it, over HTTP: `POST /api/messages` with an Action.Execute invoke
 * answers with the next card in the HTTP response (no outbound connector call needed), and a
 * non-jourledare gets the refusal. Local mode, local tenant, CLOCK_START at night.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { silentLogger } from '../../logger';
import { start, type App } from '../../index';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { userId } from '../../dev/tenant/demoIds';
import { tenantEnv } from '../helpers/local';
import { TEXTS } from '../../bot/texts';

function invoke(app: App, aadObjectId: string, verb: string, data: Record<string, unknown> = {}) {
  return fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: `act-${Math.random()}`,
      channelId: 'msteams',
      serviceUrl: 'http://127.0.0.1:9/',
      locale: 'sv-SE',
      from: { id: `29:${aadObjectId}`, name: 'Test', aadObjectId },
      recipient: { id: '28:bot', name: 'bot' },
      conversation: { id: `conv-${aadObjectId}` },
      replyToId: 'card-1',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }
    })
  });
}

describe('bot: wired by index.ts, over HTTP', function () {
  this.timeout(60_000);
  let tenant: RunningTenant;
  let app: App;
  let dataDir: string;

  before(async () => {
    tenant = await startTenant({ port: 0, notifications: false });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-bot-app-'));
    app = await start({ config: loadConfig(tenantEnv(tenant, { DATA_DIR: dataDir, CLOCK_START: '2026-11-24T20:14:00+01:00' })), logger: silentLogger() });
  });
  after(async () => {
    await app?.stop();
    await tenant?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a jourledare taps "Ny frånvaro" and gets the unit search card in the invoke response', async () => {
    const res = await invoke(app, userId('jourledare1@goteborg.example'), 'start');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { statusCode: number; type: string; value: { body: Array<{ text?: string }> } };
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    assert.ok(JSON.stringify(body.value).includes(TEXTS.sv.unitTitle));
    assert.ok(!JSON.stringify(body.value).includes(TEXTS.sv.outsideJourtidWarning), 'CLOCK_START puts the bot in jourtid');
  });

  it('someone outside the jourledare group gets the refusal', async () => {
    const res = await invoke(app, userId('handlaggare1@goteborg.example'), 'start');
    const body = (await res.json()) as { type: string; value: string };
    assert.equal(body.type, 'application/vnd.microsoft.activity.message');
    assert.equal(body.value, TEXTS.sv.notJourledare);
  });
});
