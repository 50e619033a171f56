/**
 * Administrators' commands for the permission sync (issue 6):
 *   "behörighet <enhet>"   a unit's current access: the folder's direct permissions, the DG group's
 *                          members, what the bot manages, open manual tasks, the last sync's result
 *   "synk"                 run a reconcile now (under the sync lock)
 *   "synk torrkörning"     a dry run: the plan as a table
 *   "synk godkänn"         apply a plan the mass-revocation guard stopped (after review)
 * The caller (bot/TrygghetsjourenBot.ts) has already checked that the user is in the admin group.
 * Replies are Swedish, English when the client's locale is English (the planner's texts stay Swedish).
 */
import type { FolderPermission, Unit } from '../core/model';
import type { Graph } from '../graph';
import type { Db } from '../store/db';
import { SyncRepo, type StepAction } from '../store/syncRepo';
import type { Sync, SyncResult } from '../jobs/sync';

export interface AdminContext {
  userId?: string;
  lang?: 'sv' | 'en';
  /** Teams client locale, e.g. 'sv-SE', 'en-US' (used when lang is not given). */
  locale?: string;
}

export type AdminCommandHandler = (text: string, ctx: AdminContext) => Promise<string | undefined>;

type Lang = 'sv' | 'en';

const T = {
  sv: {
    noUnit: (q: string) => `Ingen enhet matchar "${q}". Skriv enhetens namn som i enhetslistan.`,
    askUnit: 'Skriv vilken enhet: "behörighet <enhetens namn>".',
    many: (names: string[]) => `Flera enheter matchar: ${names.join(', ')}. Skriv hela namnet.`,
    active: 'aktiv',
    inactive: 'inaktiv',
    managers: 'Chefer i enhetslistan',
    acting: 't.f./ställföreträdare',
    until: 't.o.m.',
    none: 'inga',
    folder: (f: string) => `Mappen "${f}", direkta behörigheter`,
    noFolder: 'Enheten saknar mapp i enhetslistan.',
    folderError: (e: string) => `Mappens behörigheter kunde inte läsas (${e}).`,
    inherited: (i: number, g: number, l: number) => `Dessutom: ${i} ärvda, ${g} till grupper, ${l} delningslänkar.`,
    managed: 'hanteras av boten',
    handMade: 'handgjord',
    dg: (a: string, kind: string, n: number) => `DG ${a} (${kind}), ${n} medlemmar`,
    noDg: 'Enheten saknar DG-adress i enhetslistan.',
    dgMissing: (a: string) => `DG-gruppen ${a} hittades inte.`,
    dgError: (e: string) => `DG-gruppen kunde inte läsas (${e}).`,
    more: (n: number) => `… och ${n} till`,
    tasks: 'Öppna manuella uppgifter',
    lastRun: (id: number, at: string, trig: string, dry: boolean) => `Senaste synk som omfattade enheten: nr ${id}, ${at} (${trig}${dry ? ', torrkörning' : ''})`,
    noRun: 'Ingen synk har omfattat enheten ännu.',
    nothingDone: 'Inga ändringar för enheten i den körningen.',
    stopped: 'Körningen stoppades av spärren mot massborttagning.',
    approveHint: 'Skriv "synk godkänn" efter granskning för att genomföra planen ändå.',
    dryHeader: 'Torrkörning, ingenting ändras:',
    truncated: '(tabellen är avkortad; kör `npm run sync -- --dry-run` för hela)',
    kinds: { unified: 'Microsoft 365-grupp', security: 'säkerhetsgrupp', mailEnabledSecurity: 'e-postaktiverad säkerhetsgrupp', distributionList: 'distributionslista' },
    triggers: { notification: 'ändring i enhetslistan', reconcile: 'regelbunden kontroll', cli: 'kommandorad', admin: 'administratör' },
    results: { ok: 'klart', failed: 'misslyckades', skipped: 'ej utfört' },
    actions: {
      grantFolder: 'mappbehörighet till',
      revokeFolder: 'tog bort mappbehörighet för',
      addMember: 'lade till i DG',
      removeMember: 'tog bort ur DG',
      manualTask: 'manuell uppgift',
      forgetRecord: 'glömde post för'
    } as Record<StepAction, string>
  },
  en: {
    noUnit: (q: string) => `No unit matches "${q}". Type the unit's name as in the units list.`,
    askUnit: 'Which unit? "behörighet <unit name>".',
    many: (names: string[]) => `Several units match: ${names.join(', ')}. Type the full name.`,
    active: 'active',
    inactive: 'inactive',
    managers: 'Managers in the units list',
    acting: 'acting/deputy',
    until: 'until',
    none: 'none',
    folder: (f: string) => `Folder "${f}", direct permissions`,
    noFolder: 'The unit has no folder in the units list.',
    folderError: (e: string) => `The folder's permissions could not be read (${e}).`,
    inherited: (i: number, g: number, l: number) => `Also: ${i} inherited, ${g} to groups, ${l} sharing links.`,
    managed: 'managed by the bot',
    handMade: 'hand-made',
    dg: (a: string, kind: string, n: number) => `DG ${a} (${kind}), ${n} members`,
    noDg: 'The unit has no DG address in the units list.',
    dgMissing: (a: string) => `The DG group ${a} was not found.`,
    dgError: (e: string) => `The DG group could not be read (${e}).`,
    more: (n: number) => `… and ${n} more`,
    tasks: 'Open manual tasks',
    lastRun: (id: number, at: string, trig: string, dry: boolean) => `Last sync that covered the unit: no. ${id}, ${at} (${trig}${dry ? ', dry run' : ''})`,
    noRun: 'No sync has covered the unit yet.',
    nothingDone: 'No changes for the unit in that run.',
    stopped: 'The run was stopped by the mass-revocation guard.',
    approveHint: 'Type "synk godkänn" after review to apply the plan anyway.',
    dryHeader: 'Dry run, nothing is changed:',
    truncated: '(table truncated; run `npm run sync -- --dry-run` for all of it)',
    kinds: { unified: 'Microsoft 365 group', security: 'security group', mailEnabledSecurity: 'mail-enabled security group', distributionList: 'distribution list' },
    triggers: { notification: 'units list change', reconcile: 'periodic check', cli: 'command line', admin: 'administrator' },
    results: { ok: 'done', failed: 'failed', skipped: 'not done' },
    actions: {
      grantFolder: 'folder access for',
      revokeFolder: 'removed folder access of',
      addMember: 'added to DG',
      removeMember: 'removed from DG',
      manualTask: 'manual task',
      forgetRecord: 'forgot record of'
    } as Record<StepAction, string>
  }
};

const MAX_LIST = 15;
const MAX_REPLY = 20_000;

function list<T>(items: T[], line: (x: T) => string, lang: Lang): string[] {
  const out = items.slice(0, MAX_LIST).map((x) => `- ${line(x)}`);
  if (items.length > MAX_LIST) {
    out.push(`- ${T[lang].more(items.length - MAX_LIST)}`);
  }
  return out;
}

function stockholm(iso: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

/** Finds a unit by exact name, id, or a unique part of the name (case-insensitive). */
export function findUnit(units: Unit[], query: string): Unit | Unit[] | undefined {
  const q = query.trim().toLowerCase().replace(/\s+/g, ' ');
  const exact = units.filter((u) => u.name.toLowerCase() === q || u.id === q);
  if (exact.length === 1) {
    return exact[0];
  }
  const part = units.filter((u) => u.name.toLowerCase().includes(q));
  if (part.length === 1) {
    return part[0];
  }
  return part.length > 1 ? part : undefined;
}

export function createAdminCommands(deps: { db: Db; sync: Pick<Sync, 'reconcile'> & Partial<Pick<Sync, 'repo'>>; graph: Pick<Graph, 'units' | 'access'> }): AdminCommandHandler {
  const repo = deps.sync.repo ?? new SyncRepo(deps.db);

  async function access(query: string, lang: Lang): Promise<string> {
    const t = T[lang];
    if (!query.trim()) {
      return t.askUnit;
    }
    const found = findUnit(await deps.graph.units.list(), query);
    if (!found) {
      return t.noUnit(query.trim());
    }
    if (Array.isArray(found)) {
      return t.many(found.slice(0, 10).map((u) => u.name));
    }
    const unit = found;
    const records = await repo.managedGrants([unit.id]);
    const isManaged = (kind: 'folder' | 'group', id: string | undefined, email: string | undefined, permissionId?: string): boolean =>
      records.some(
        (r) =>
          r.kind === kind &&
          ((permissionId !== undefined && r.permissionId === permissionId) || (id !== undefined && r.userId === id) || (!!email && r.email === email.toLowerCase()))
      );

    const out: string[] = [`**${unit.name}** (id ${unit.id}, ${unit.active ? t.active : t.inactive})`];
    const acting = unit.acting.map((a) => `${a.email}${a.endDate ? ` ${t.until} ${a.endDate}` : ''}`);
    out.push(`${t.managers}: ${unit.managers.map((m) => m.email).join(', ') || t.none}${acting.length ? `; ${t.acting}: ${acting.join(', ')}` : ''}`);

    // Folder
    out.push('');
    if (!unit.folder) {
      out.push(t.noFolder);
    } else {
      try {
        const perms = await deps.graph.access.folderPermissions(unit);
        const direct = perms.filter((p) => !p.inherited && !p.link && !p.group && p.user);
        out.push(`${t.folder(unit.folder)}:`);
        out.push(
          ...(direct.length === 0
            ? [`- ${t.none}`]
            : list(direct, (p: FolderPermission) => `${p.user!.email ?? p.user!.id} (${p.roles.join(', ')}) – ${isManaged('folder', p.user!.id, p.user!.email, p.id) ? t.managed : t.handMade}`, lang))
        );
        out.push(t.inherited(perms.filter((p) => p.inherited).length, perms.filter((p) => !p.inherited && p.group).length, perms.filter((p) => p.link).length));
      } catch (err) {
        out.push(t.folderError(errCode(err)));
      }
    }

    // DG group
    out.push('');
    if (!unit.dgAddress) {
      out.push(t.noDg);
    } else {
      try {
        const g = await deps.graph.access.group(unit.dgAddress);
        if (!g) {
          out.push(t.dgMissing(unit.dgAddress));
        } else {
          out.push(`${t.dg(unit.dgAddress, t.kinds[g.kind], g.members.length)}:`);
          // Managers and the bot's own first: they are what the sync is about.
          const wanted = new Set([...unit.managers, ...unit.acting].map((p) => p.email.toLowerCase()));
          const sorted = [...g.members].sort(
            (a, b) => Number(wanted.has((b.email ?? '').toLowerCase())) - Number(wanted.has((a.email ?? '').toLowerCase()))
          );
          out.push(...list(sorted, (m) => `${m.email ?? m.id}${isManaged('group', m.id, m.email) ? ` – ${t.managed}` : ''}`, lang));
        }
      } catch (err) {
        out.push(t.dgError(errCode(err)));
      }
    }

    const tasks = await repo.openManualTasks([unit.id]);
    if (tasks.length > 0) {
      out.push('', `${t.tasks}:`, ...list(tasks, (x) => x.text, lang));
    }

    // Last sync
    out.push('');
    const run = await repo.lastRun({ unitId: unit.id, includeDryRuns: false });
    if (!run) {
      out.push(t.noRun);
    } else {
      out.push(`${t.lastRun(run.id, stockholm(run.startedAt), t.triggers[run.trigger], run.dryRun)}:`);
      if (run.stoppedReason) {
        out.push(t.stopped);
      }
      const steps = await repo.steps(run.id, unit.id);
      out.push(
        ...(steps.length === 0
          ? [t.nothingDone]
          : list(steps, (s) => `${t.actions[s.action]} ${s.personEmail ?? ''}${s.action === 'addMember' || s.action === 'removeMember' ? ` (${s.target})` : ''}: ${t.results[s.result]}${s.result === 'failed' && s.error ? ` – ${s.error}` : ''}`, lang))
      );
    }
    return out.join('\n');
  }

  function syncReply(r: SyncResult, lang: Lang): string {
    const t = T[lang];
    if (r.status === 'skipped' || r.status === 'failed') {
      return r.message ?? r.summary;
    }
    if (r.status === 'dryRun') {
      let table = r.table;
      let note = '';
      if (table.length > MAX_REPLY) {
        table = table.slice(0, MAX_REPLY);
        note = `\n${t.truncated}`;
      }
      return `${t.dryHeader}\n\n\`\`\`\n${table}\n\`\`\`${note}${r.stopReason ? `\n\n${r.stopReason}\n${t.approveHint}` : ''}`;
    }
    return r.status === 'stopped' ? `${r.summary}\n\n${t.approveHint}` : r.summary;
  }

  return async (text, ctx) => {
    const lang: Lang = ctx.lang ?? (ctx.locale?.toLowerCase().startsWith('en') ? 'en' : 'sv');
    const s = text.trim().replace(/^<at>.*?<\/at>\s*/i, '').replace(/\s+/g, ' ');
    const acc = /^(behörighet|behorighet|access)(?:\s+(.*))?$/i.exec(s);
    if (acc) {
      return access(acc[2] ?? '', lang);
    }
    const syn = /^(synk|sync)(?:\s+(.*))?$/i.exec(s);
    if (syn) {
      const arg = (syn[2] ?? '').toLowerCase();
      if (/^(torrkörning|torrkorning|dry[- ]?run)$/.test(arg)) {
        return syncReply(await deps.sync.reconcile({ dryRun: true, trigger: 'admin' }), lang);
      }
      if (/^(godkänn|godkann|approve)$/.test(arg)) {
        return syncReply(await deps.sync.reconcile({ trigger: 'admin', approveMassRevocation: true }), lang);
      }
      if (arg === '') {
        return syncReply(await deps.sync.reconcile({ trigger: 'admin' }), lang);
      }
    }
    return undefined;
  };
}

function errCode(err: unknown): string {
  const e = err as { code?: string; status?: number };
  return [e.code, e.status].filter((x) => x !== undefined).join(' ') || 'fel';
}
