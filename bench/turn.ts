/**
 * Turn cost. Many concurrent simulated jourledare go through the whole call-in flow (7 turns: "ny",
 * unit search, unit, absence, a call, to confirmation, confirm) against the bot as a child process
 * and the local tenant; the replies arrive at the simulated connector. Then the same harness, the
 * same number of users and turns of the same shapes (a message, then six Action.Execute invokes),
 * against a bare botbuilder echo bot on the same store and server stack (bench/echoBot.ts).
 * Prints p50/p95/p99 per turn, turns per second, and the ratio ours/echo for p50 and p95.
 *
 * BENCH_USERS (default 16) and BENCH_CALLINS (per user, default 5). BENCH_BOT_NODE_ARGS (space
 * separated) are given to both bots' node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them.
 */
import { startTenant } from '../dev/tenant/server';
import { tenantEnv } from '../test/helpers/local';
import { spawnBot, type BotProcess } from '../test/helpers/botProcess';
import { ChatUser, startConnector, type Connector } from '../test/helpers/channel';
import { DEMO_JOURLEDARE, NIGHT_CLOCK, runCallIn } from '../test/helpers/callInFlow';
import { figure, percentile, progress, removeDir, tempDir } from './common';

/** Node arguments for the bots under test, when asked for (profiling). */
const botNodeArgs = (): string[] => (process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

const ECHO_VERBS = ['unitSearch', 'unitPick', 'absenceSubmit', 'callRecord', 'toConfirm', 'confirm'];

interface Run {
  turns: number[];
  wallMs: number;
  steps: Map<string, number[]>;
}

async function drive(users: number, perUser: number, one: (u: ChatUser) => Promise<Array<{ step: string; ms: number }>>, mk: (i: number) => ChatUser): Promise<Run> {
  const turns: number[] = [];
  const steps = new Map<string, number[]>();
  const t0 = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      const u = mk(i);
      for (let k = 0; k < perUser; k++) {
        for (const t of await one(u)) {
          turns.push(t.ms);
          steps.set(t.step, [...(steps.get(t.step) ?? []), t.ms]);
        }
        done++;
        if (done % Math.max(1, Math.floor((users * perUser) / 4)) === 0) {
          progress(`${done}/${users * perUser} flows`);
        }
      }
    })
  );
  return { turns, wallMs: performance.now() - t0, steps };
}

function print(name: string, users: number, r: Run): void {
  figure(`turn: ${name}`, {
    users,
    turns: r.turns.length,
    p50_ms: percentile(r.turns, 50),
    p95_ms: percentile(r.turns, 95),
    p99_ms: percentile(r.turns, 99),
    turns_per_s: r.turns.length / (r.wallMs / 1000)
  });
}

export async function turnBench(): Promise<void> {
  const users = Number(process.env.BENCH_USERS ?? 16);
  const perUser = Number(process.env.BENCH_CALLINS ?? 5);
  const tenant = await startTenant({ notifications: false });
  const connector: Connector = await startConnector();
  const dirs: string[] = [];
  let bot: BotProcess | undefined;
  try {
    // Ours.
    const dir = tempDir('tj-bench-turn-');
    dirs.push(dir);
    progress('starting the bot');
    bot = await spawnBot({ env: tenantEnv(tenant, { DATA_DIR: dir, LOG_LEVEL: 'warn', CLOCK_START: NIGHT_CLOCK, SYNC_ENABLED: 'false' }), nodeArgs: botNodeArgs(), waitReady: true, timeoutMs: 120_000 });
    const botUrl = bot.messages;
    const mk = (prefix: string) => (i: number) => new ChatUser({ botUrl, connector, user: DEMO_JOURLEDARE[i % 2], conversationId: `a:${prefix}-${i}` });
    progress('warm-up: one call-in per user');
    await drive(users, 1, async (u) => (await runCallIn(u)).turns, mk('warm'));
    progress(`ours: ${users} users × ${perUser} call-ins`);
    const ours = await drive(users, perUser, async (u) => (await runCallIn(u)).turns, mk('ours'));
    await bot.stop();
    bot = undefined;

    // Echo, same shapes of turns.
    const edir = tempDir('tj-bench-echo-');
    dirs.push(edir);
    progress('starting the echo bot');
    bot = await spawnBot({ entry: 'bench/echoBot.ts', env: { DATA_DIR: edir, LOG_LEVEL: 'warn' }, nodeArgs: botNodeArgs(), waitReady: true, timeoutMs: 120_000 });
    const echoUrl = bot.messages;
    const mkEcho = (prefix: string) => (i: number) => new ChatUser({ botUrl: echoUrl, connector, user: DEMO_JOURLEDARE[i % 2], conversationId: `a:${prefix}-${i}` });
    const echoFlow = async (u: ChatUser): Promise<Array<{ step: string; ms: number }>> => {
      const out: Array<{ step: string; ms: number }> = [];
      const first = await u.say('ny');
      if (first.status !== 200 || first.texts.length !== 1) {
        throw new Error(`echo: unexpected answer ${first.status} ${first.body}`);
      }
      out.push({ step: 'ny', ms: first.ms });
      for (const verb of ECHO_VERBS) {
        const a = await u.send({ verb, flowId: 'f', step: 'x', rev: out.length, query: 'majorna', unitId: '1', absent: 'anna-andersson', reason: 'sjuk', start: '21:00', end: '07:00' });
        if (a.status !== 200 || a.texts.length !== 1) {
          throw new Error(`echo: unexpected answer ${a.status} ${a.body}`);
        }
        out.push({ step: verb, ms: a.ms });
      }
      return out;
    };
    progress('echo warm-up');
    await drive(users, 1, echoFlow, mkEcho('ewarm'));
    progress(`echo: ${users} users × ${perUser} flows`);
    const echo = await drive(users, perUser, echoFlow, mkEcho('echo'));
    await bot.stop();
    bot = undefined;

    print('ours', users, ours);
    for (const [step, xs] of ours.steps) {
      figure(`turn: ours step=${step}`, { p50_ms: percentile(xs, 50), p95_ms: percentile(xs, 95) });
    }
    print('echo', users, echo);
    figure('turn: ratio ours/echo', {
      p50: percentile(ours.turns, 50) / percentile(echo.turns, 50),
      p95: percentile(ours.turns, 95) / percentile(echo.turns, 95),
      goal: '<=1.5'
    });
  } finally {
    await bot?.stop().catch(() => undefined);
    await connector.stop();
    await tenant.stop();
    dirs.forEach(removeDir);
  }
}
