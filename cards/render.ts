/**
 * The one place that expands Adaptive Card templates (cards/templates/*.json, `${...}` bindings,
 * adaptivecards-templating). Besides expansion it does three things every card needs:
 *  - `{ "$include": "_part" }` pulls in a shared part (unit info, summary, notes) before expansion;
 *  - every `Action.Execute` gets the flow's `{ flowId, step, rev }` and its `verb` in its data, and an
 *    `Action.Submit` fallback with the same data (clients without Universal Actions send a message
 *    whose `value` is that data);
 *  - nulls left by `$when` are removed;
 *  - every data string (not the texts `t`, which are ours) shown where a client renders markdown —
 *    TextBlock text, FactSet titles and values — is escaped (cards/markdown.ts), so a name with
 *    `[x](https://…)` or `**` in it shows as typed; elsewhere (inputs, action data, URLs, titles of
 *    buttons and choices, which clients show as plain text) it stays as it is.
 * The result is a plain card object (schema 1.5, what Teams renders), ready for an attachment.
 */
import * as ACData from 'adaptivecards-templating';
import { escapeMarkdown, needsMarkdownEscape } from './markdown';
import callInList from './templates/callInList.json';
import cancelCallIn from './templates/cancelCallIn.json';
import candidates from './templates/candidates.json';
import confirm from './templates/confirm.json';
import correct from './templates/correct.json';
import message from './templates/message.json';
import receipt from './templates/receipt.json';
import unitInfo from './templates/unitInfo.json';
import unitSearch from './templates/unitSearch.json';
import welcome from './templates/welcome.json';
import absence from './templates/absence.json';
import partNotes from './templates/_notes.json';
import partUnitInfo from './templates/_unitInfo.json';
import partSummary from './templates/_summary.json';
import partShiftHeader from './templates/_shiftHeader.json';
import partCallInItem from './templates/_callInItem.json';

const TEMPLATES = { welcome, message, unitSearch, unitInfo, absence, candidates, confirm, receipt, callInList, correct, cancelCallIn };
const PARTS: Record<string, unknown> = {
  _notes: partNotes,
  _unitInfo: partUnitInfo,
  _summary: partSummary,
  _shiftHeader: partShiftHeader,
  _callInItem: partCallInItem
};

export type CardName = keyof typeof TEMPLATES;

/** What every action of a card carries back, so the server can tell a current card from a stale one. */
export interface ActionContext {
  flowId: string;
  step: string;
  rev: number;
}

export type NoteColor = 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';
export interface Note {
  text: string;
  color: NoteColor;
}

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body: unknown[];
  actions?: unknown[];
  [k: string]: unknown;
}

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

function resolveIncludes(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(resolveIncludes);
  }
  if (node && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    if (typeof rec.$include === 'string') {
      const part = PARTS[rec.$include];
      if (!part) {
        throw new Error(`cards: unknown part ${rec.$include}`);
      }
      return resolveIncludes(part);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      out[k] = resolveIncludes(v);
    }
    return out;
  }
  return node;
}

/**
 * One parsed template per card name. `new ACData.Template(card)` parses every `${…}` binding into an
 * adaptive-expressions tree (antlr4: the costly part); `expand` (synchronous) only evaluates those
 * trees against the data and builds a new card, so one Template serves every turn and every user.
 * Only our own template strings are ever parsed: data values are bound, never parsed. (A Template
 * holds on to its last expansion's data until the next one; it never reads it again.)
 */
const PARSED = new Map<CardName, ACData.Template>();

function template(name: CardName): ACData.Template {
  let t = PARSED.get(name);
  if (!t) {
    t = new ACData.Template(resolveIncludes(TEMPLATES[name]));
    PARSED.set(name, t);
  }
  return t;
}

function clean(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.filter((x) => x !== null && x !== undefined).map(clean);
  }
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (v !== null && v !== undefined) {
        out[k] = clean(v);
      }
    }
    return out;
  }
  return node;
}

function wireActions(node: unknown, ctx: ActionContext | undefined): void {
  if (Array.isArray(node)) {
    for (const x of node) {
      wireActions(x, ctx);
    }
    return;
  }
  if (!node || typeof node !== 'object') {
    return;
  }
  const rec = node as Record<string, unknown>;
  if (rec.type === 'Action.Execute' && typeof rec.verb === 'string') {
    const own = rec.data && typeof rec.data === 'object' ? (rec.data as Record<string, unknown>) : {};
    const data = { ...(ctx ?? {}), ...own, verb: rec.verb };
    rec.data = data;
    if (rec.isEnabled === '' || rec.isEnabled === 'true' || rec.isEnabled === 'false') {
      rec.isEnabled = rec.isEnabled === 'true';
    }
    const fallback: Record<string, unknown> = { type: 'Action.Submit', title: rec.title, data };
    if (rec.style !== undefined) {
      fallback.style = rec.style;
    }
    rec.fallback = fallback;
    return;
  }
  for (const v of Object.values(rec)) {
    wireActions(v, ctx);
  }
}

/*
 * Data strings that need escaping are swapped for tokens (private-use characters around an index)
 * before expansion and put back after it, escaped or not depending on where they landed. Tokens hold
 * no markdown and no quotes, so `${x != ''}` and the like still work; strings that hold private-use
 * characters themselves are tokenized too, so a forged token in input is never read as one.
 */
const TOKEN_OPEN = '\uE000';
const TOKEN_CLOSE = '\uE001';
const TOKEN = /\uE000(\d+)\uE001/g;

function tokenize(node: unknown, originals: string[]): unknown {
  if (typeof node === 'string') {
    if (!needsMarkdownEscape(node) && !node.includes(TOKEN_OPEN) && !node.includes(TOKEN_CLOSE)) {
      return node;
    }
    originals.push(node);
    return `${TOKEN_OPEN}${originals.length - 1}${TOKEN_CLOSE}`;
  }
  if (Array.isArray(node)) {
    return node.map((x) => tokenize(x, originals));
  }
  if (node && typeof node === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(node) as object | null)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      out[k] = tokenize(v, originals);
    }
    return out;
  }
  return node;
}

function untokenize(s: string, originals: string[], markdown: boolean): string {
  return s.replace(TOKEN, (_m, i: string) => {
    const original = originals[Number(i)] ?? '';
    return markdown ? escapeMarkdown(original) : original;
  });
}

/** Puts the data strings back: escaped in TextBlock texts and FactSet facts, as they were elsewhere. */
function restore(node: unknown, originals: string[], markdown = false): unknown {
  if (typeof node === 'string') {
    return untokenize(node, originals, markdown);
  }
  if (Array.isArray(node)) {
    return node.map((x) => restore(x, originals, markdown));
  }
  if (node && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      const md = (rec.type === 'TextBlock' && k === 'text') || (rec.type === 'FactSet' && k === 'facts');
      out[k] = restore(v, originals, md || (markdown && !('type' in rec)));
    }
    return out;
  }
  return node;
}

/**
 * Expands the named template with `data` (plus `t`, the texts in the user's language, from
 * bot/texts.ts) and wires its actions to `ctx`. Pure: same input, same card.
 */
export function renderCard(name: CardName, data: object, texts: Record<string, string>, ctx?: ActionContext): AdaptiveCard {
  const originals: string[] = [];
  const root = { notes: [], ...(tokenize(data, originals) as object), t: texts };
  const expanded = template(name).expand({ $root: root }) as unknown;
  const card = (originals.length > 0 ? restore(clean(expanded), originals) : clean(expanded)) as AdaptiveCard;
  wireActions(card.actions, ctx);
  wireActions(card.body, ctx);
  return card;
}

/** All template names (tests expand each one). */
export const CARD_NAMES = Object.keys(TEMPLATES) as CardName[];
