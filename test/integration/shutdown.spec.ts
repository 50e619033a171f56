/**
 * SIGTERM drains: a turn that is in flight when the signal comes (its Graph call slowed by the local
 * tenant) still gets its answer, then the process exits 0. And SIGINT on an idle process exits 0.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { JOURLEDARE1, userId } from '../../dev/tenant/demoIds';
import { spawnBot } from '../helpers/botProcess';
import { ChatUser, startConnector, cardText, type Connector } from '../helpers/channel';
import { tenantEnv } from '../helpers/local';

describe('shutdown drains in-flight turns (SIGTERM/SIGINT → exit 0)', function () {
  this.timeout(90_000);
  let tenant: RunningTenant;
  let connector: Connector;
  let dataDir: string;

  beforeEach(async () => {
    tenant = await startTenant({ port: 0 });
    connector = await startConnector();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-shutdown-'));
  });
  afterEach(async () => {
    await connector.stop();
    await tenant.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM during a slow turn: the turn is answered, then exit 0', async () => {
    const bot = await spawnBot({ env: tenantEnv(tenant, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', SYNC_ENABLED: 'false', BOT_LOCALE: 'sv-SE' }) });
    try {
      const user = new ChatUser({ botUrl: bot.messages, connector, user: { aadObjectId: userId(JOURLEDARE1), name: 'Jourledare Ett' } });
      // The jourledare check (transitive group members) is the turn's first Graph call: make it take 2 s.
      tenant.setFaults([{ path: 'transitiveMembers|checkMemberGroups|transitiveMemberOf', latencyMs: 2000 }]);
      const turn = user.say('hej');
      await new Promise((r) => setTimeout(r, 700));
      bot.child.kill('SIGTERM');
      const answer = await turn;
      assert.equal(answer.status, 200);
      assert.ok(answer.ms >= 1500, `the turn was in flight across the signal (took ${answer.ms} ms)`);
      assert.match(cardText(answer.cards[0]), /Ny frånvaro/);
      const exit = await bot.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, bot.output());
    } finally {
      if (bot.child.exitCode === null) {
        await bot.kill9();
      }
    }
  });

  it('SIGINT on an idle process exits 0', async () => {
    const bot = await spawnBot({ env: tenantEnv(tenant, { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }) });
    bot.child.kill('SIGINT');
    assert.deepEqual(await bot.exited, { code: 0, signal: null }, bot.output());
  });
});
