/**
 * Crash: 200 call-ins confirmed through the real flow (simulated Teams channel → the bot's
 * /api/messages) while the bot PROCESS is killed with SIGKILL at random moments and restarted on the
 * same data folder (the lock file takes over the dead process's lock). The local tenant runs in this
 * process and counts the mail. At the end: exactly 200 notices in the mailbox, none twice, none
 * lost, and the outbox has nothing pending or dead.
 *
 * OUTBOX_LEASE_SECONDS=5 so that a notice claimed by a killed process is re-claimed quickly; such a
 * notice (attempts > 1) is looked up in Sent Items (graph mail.findSent) before it is sent again.
 * Prints `crash: kills=… confirmed=… notices=… duplicates=… lost=…` and the recovery figures.
 */
import { strict as assert } from 'node:assert';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { startConnector, type Connector } from '../helpers/channel';
import { RestartableBot, confirmMany, mailFigures, seededRandom, sleep, waitForMails } from './common';
import { startGraphProxy, type GraphProxy } from './graphProxy';

const TARGET = 200;
const USERS = 8;
const MAX_KILLS = 6;
const LEASE_SECONDS = 5;

describe('resilience: crash (kill -9 of the bot process while 200 call-ins are confirmed)', function () {
  this.timeout(300_000);
  let tenant: RunningTenant;
  let connector: Connector;
  let bot: RestartableBot;
  let proxy: GraphProxy;

  before(async () => {
    tenant = await startTenant({ notifications: false });
    proxy = await startGraphProxy(tenant.url);
    connector = await startConnector();
    bot = await RestartableBot.create(tenant, { GRAPH_BASE_URL: proxy.graphBase, OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS) });
    await bot.start();
  });
  after(async () => {
    await bot?.kill9().catch(() => undefined);
    bot?.remove();
    await connector?.stop();
    await proxy?.stop();
    await tenant?.stop();
  });

  it(`exactly ${TARGET} notices, none twice, none lost`, async () => {
    const seed = Number(process.env.RESILIENCE_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    let kills = 0;
    let finished = false;
    const killedAt: number[] = [];
    const t0 = Date.now();

    // The killer. Each kill comes at one of three kinds of moment, chosen at random:
    //  - 'any':     0.3–3 s after the bot is up (a turn, a Graph read, a transaction in flight);
    //  - 'confirm': 0–150 ms after a jourledare sent a confirm (the call-in's transaction, the
    //               answer, the outbox kick);
    //  - 'sent':    when Graph has accepted a notice (202) but before the bot gets the answer: the
    //               row stays claimed, and after the lease the Sent Items check must find the mail.
    type Moment = 'any' | 'confirm' | 'sent';
    const moments: Record<Moment, number> = { any: 0, confirm: 0, sent: 0 };
    let armed: Moment | undefined;
    let fire: (() => void) | undefined;
    proxy.onSendAnswered = async (a) => {
      if (armed === 'sent' && a.status === 202 && fire) {
        const f = fire;
        fire = undefined;
        armed = undefined;
        await bot.kill9();
        f();
      }
    };
    const beforeConfirm = (): void => {
      if (armed === 'confirm' && fire) {
        const f = fire;
        fire = undefined;
        armed = undefined;
        setTimeout(() => void bot.kill9().then(f), random() * 150);
      }
    };
    const killer = (async () => {
      while (!finished && kills < MAX_KILLS) {
        const r = random();
        const moment: Moment = r < 0.4 ? 'any' : r < 0.7 ? 'confirm' : 'sent';
        const until = Date.now() + 300 + random() * 2700;
        while (!finished && Date.now() < until) {
          await sleep(Math.min(50, until - Date.now()));
        }
        if (finished) {
          break;
        }
        if (moment === 'any') {
          await bot.kill9();
        } else {
          // Armed: the hook kills; give up after 10 s (then kill anyway).
          const killed = new Promise<void>((resolve) => {
            fire = resolve;
          });
          armed = moment;
          const t = Date.now();
          while (!finished && fire && Date.now() - t < 10_000) {
            await sleep(20);
          }
          if (fire) {
            fire = undefined;
            armed = undefined;
            if (finished) {
              break;
            }
            await bot.kill9();
          } else {
            await killed;
          }
        }
        moments[moment]++;
        kills++;
        killedAt.push(Date.now() - t0);
        await bot.start();
      }
    })();

    let stats;
    try {
      stats = await confirmMany({ botUrl: bot.messages, connector, target: TARGET, users: USERS, deadlineMs: 240_000, beforeConfirm });
    } finally {
      finished = true;
      await killer;
    }
    const confirmedMs = Date.now() - t0;

    // Notices of call-ins confirmed just before a kill are sent after the restart (lease 5 s).
    await waitForMails(tenant, stats.confirmed, 60_000);
    // Let any re-claim of a row whose sender was killed after Graph's 202 run (lease + poll).
    await sleep(LEASE_SECONDS * 1000 + 1500);
    await bot.stop();

    const fig = mailFigures(tenant.mail(), stats.confirmed);
    const outbox = await bot.query<{ status: string; n: string }>('select status, count(*) as n from outbox group by status order by status');
    const callIns = Number((await bot.query<{ n: string }>('select count(*) as n from call_ins'))[0].n);
    const retried = Number((await bot.query<{ n: string }>('select count(*) as n from outbox where attempts > 1'))[0].n);
    const sentItemsChecks = tenant.requests().filter((r) => /\/mailFolders\/sentitems\/messages/i.test(r.path)).length;
    const sendMails = proxy.sends().length;
    const recovered = Number((await bot.query<{ n: string }>(`select count(*) as n from outbox where result->>'recovered' = 'true'`))[0].n);

    console.log(`      crash: kills=${kills} confirmed=${stats.confirmed.size} notices=${fig.mails} duplicates=${fig.duplicates} lost=${fig.lost.length}`);
    console.log(`      crash: kill_moments=any:${moments.any},confirm:${moments.confirm},sent:${moments.sent} seed=${seed} users=${USERS} restarts=${bot.starts - 1} restart_ms_p50=${median(bot.startMs.slice(1)).toFixed(0)} confirm_phase_s=${(confirmedMs / 1000).toFixed(1)}`);
    console.log(`      crash: call_ins=${callIns} outbox=${outbox.map((r) => `${r.status}:${r.n}`).join(',')} notices_reattempted=${retried} sent_items_checks=${sentItemsChecks} found_in_sent_items=${recovered} sendmail_requests=${sendMails}`);
    console.log(`      crash: flow_restarts=${stats.flowRestarts} confirm_replays=${stats.confirmReplays} already_confirmed_answers=${stats.alreadyConfirmed} unexpected_answers=${stats.unexpected.length}`);

    assert.ok(kills >= 3, `at least a few kills happened (${kills})`);
    if (moments.sent > 0) {
      assert.ok(recovered >= moments.sent, `each notice whose 202 the bot never saw was found in Sent Items (${recovered}/${moments.sent})`);
    }
    assert.equal(stats.confirmed.size, TARGET);
    assert.equal(stats.clientDuplicates, 0, 'no two flows were told the same call-in id');
    assert.equal(callIns, TARGET, 'one call-in row per confirmed call-in');
    assert.deepEqual(fig.lost, [], 'no notice lost');
    assert.deepEqual(fig.unknown, [], 'no notice for a call-in nobody confirmed');
    assert.equal(fig.duplicates, 0, 'no notice twice');
    assert.equal(fig.mails, TARGET);
    assert.deepEqual(
      outbox.map((r) => r.status),
      ['done'],
      'the outbox has nothing pending or dead'
    );
  });
});

function median(xs: number[]): number {
  if (xs.length === 0) {
    return 0;
  }
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
