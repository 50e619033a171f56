/**
 * Mailbox pieces shared by sendMail and the message reads: extended property ids, the `$filter` on
 * single-value extended properties, and Graph-shaped ids.
 *
 * Followed (Microsoft Graph v1.0):
 *  - "Outlook extended properties overview": id formats `{type} {guid} Name {name}`,
 *    `{type} {guid} Id {0x…}`, `{type} {proptag}`.
 *  - "Get singleValueLegacyExtendedProperty": `$filter=singleValueExtendedProperties/Any(ep: ep/id eq
 *    '{id}' and ep/value eq '{value}')`; the Name in the id is matched case-sensitively, the value
 *    case-insensitively; the list response does not include the property; `$expand=
 *    singleValueExtendedProperties($filter=id eq '{id}')` returns it on the message.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ExtendedProperty } from './state';

const TYPES = new Set(
  ['Binary', 'Boolean', 'CLSID', 'Currency', 'Double', 'Float', 'Integer', 'Long', 'Object', 'Short', 'String', 'SystemTime'].map((t) => t.toLowerCase())
);

interface ParsedPropertyId {
  type: string;
  /** Lower-case GUID for named properties; undefined for proptags. */
  guid?: string;
  /** 'name:<Name>' (case kept), 'id:<number>' or 'tag:<number>'. */
  key: string;
}

/** Parses an extended property id in one of the three documented formats; undefined if none. */
export function parsePropertyId(id: string): ParsedPropertyId | undefined {
  const named = /^(\w+) \{([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\} (Name|Id) (.+)$/i.exec(id.trim());
  if (named) {
    const type = named[1]!.toLowerCase();
    if (!TYPES.has(type)) {
      return undefined;
    }
    if (named[3]!.toLowerCase() === 'id') {
      const n = Number(named[4]!.trim());
      return Number.isInteger(n) && n >= 0 ? { type, guid: named[2]!.toLowerCase(), key: `id:${n}` } : undefined;
    }
    return { type, guid: named[2]!.toLowerCase(), key: `name:${named[4]!}` };
  }
  const tag = /^(\w+) (0x[0-9a-fA-F]{1,8})$/.exec(id.trim());
  if (tag && TYPES.has(tag[1]!.toLowerCase())) {
    return { type: tag[1]!.toLowerCase(), key: `tag:${Number(tag[2]!)}` };
  }
  return undefined;
}

/** Same property? Type, GUID and Id/Name keyword compare case-insensitively, the Name exactly. */
export function samePropertyId(a: string, b: string): boolean {
  const pa = parsePropertyId(a);
  const pb = parsePropertyId(b);
  if (!pa || !pb) {
    return a === b;
  }
  return pa.type === pb.type && pa.guid === pb.guid && pa.key === pb.key;
}

/** Validates `message.singleValueExtendedProperties`; a string describes what is wrong. */
export function readExtendedProperties(raw: unknown): ExtendedProperty[] | string {
  if (raw === undefined || raw === null) {
    return [];
  }
  if (!Array.isArray(raw)) {
    return 'singleValueExtendedProperties must be a collection.';
  }
  const out: ExtendedProperty[] = [];
  for (const p of raw as Array<{ id?: unknown; value?: unknown }>) {
    if (typeof p?.id !== 'string' || !parsePropertyId(p.id)) {
      return `The extended property id '${String(p?.id)}' is not valid.`;
    }
    if (p.value === undefined || p.value === null || typeof p.value === 'object') {
      return `The extended property '${p.id}' has no value.`;
    }
    out.push({ id: p.id, value: String(p.value) });
  }
  return out;
}

/* ----- $filter on singleValueExtendedProperties ----- */

type Token = { kind: 'ident'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: string };

function tokenize(src: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('/():'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
    } else if (c === "'") {
      // OData string literal: a single quote inside is written twice.
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) {
          return undefined;
        }
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += src[i];
        i++;
      }
      out.push({ kind: 'string', text });
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) {
        j++;
      }
      out.push({ kind: 'ident', text: src.slice(i, j) });
      i = j;
    } else {
      return undefined;
    }
  }
  return out;
}

/** A parsed extended property filter: the property id, and the value when one is asked for. */
export interface PropertyFilter {
  id: string;
  value?: string;
}

class Parser {
  private i = 0;
  constructor(private readonly t: Token[]) {}

  done(): boolean {
    return this.i === this.t.length;
  }

  ident(word?: string): string | undefined {
    const tok = this.t[this.i];
    if (tok?.kind !== 'ident' || (word !== undefined && tok.text.toLowerCase() !== word.toLowerCase())) {
      return undefined;
    }
    this.i++;
    return tok.text;
  }

  punct(p: string): boolean {
    const tok = this.t[this.i];
    if (tok?.kind !== 'punct' || tok.text !== p) {
      return false;
    }
    this.i++;
    return true;
  }

  string(): string | undefined {
    const tok = this.t[this.i];
    if (tok?.kind !== 'string') {
      return undefined;
    }
    this.i++;
    return tok.text;
  }

  /** `{v}/id eq '…'` or `{v}/value eq '…'` (v undefined: bare `id eq '…'`). */
  clause(v: string | undefined): { prop: 'id' | 'value'; lit: string } | undefined {
    if (v !== undefined) {
      const name = this.ident();
      if (name !== v || !this.punct('/')) {
        return undefined;
      }
    }
    const prop = this.ident()?.toLowerCase();
    if ((prop !== 'id' && prop !== 'value') || !this.ident('eq')) {
      return undefined;
    }
    const lit = this.string();
    return lit === undefined ? undefined : { prop, lit };
  }
}

function collect(clauses: Array<{ prop: 'id' | 'value'; lit: string }>): PropertyFilter | undefined {
  const ids = clauses.filter((c) => c.prop === 'id');
  const values = clauses.filter((c) => c.prop === 'value');
  if (ids.length !== 1 || values.length > 1) {
    return undefined;
  }
  return { id: ids[0]!.lit, value: values[0]?.lit };
}

/**
 * Parses `singleValueExtendedProperties/Any(ep: ep/id eq '…' [and ep/value eq '…'])` (keywords and
 * the lambda variable in any case, clauses in either order). Undefined for anything else.
 */
export function parsePropertyFilter(src: string): PropertyFilter | undefined {
  const toks = tokenize(src);
  if (!toks) {
    return undefined;
  }
  const p = new Parser(toks);
  if (!p.ident('singleValueExtendedProperties') || !p.punct('/') || !p.ident('any') || !p.punct('(')) {
    return undefined;
  }
  const v = p.ident();
  if (!v || !p.punct(':')) {
    return undefined;
  }
  const clauses: Array<{ prop: 'id' | 'value'; lit: string }> = [];
  for (;;) {
    const c = p.clause(v);
    if (!c) {
      return undefined;
    }
    clauses.push(c);
    if (!p.ident('and')) {
      break;
    }
  }
  if (!p.punct(')') || !p.done()) {
    return undefined;
  }
  return collect(clauses);
}

/** Parses the `$expand` value `singleValueExtendedProperties($filter=id eq '…')`. */
export function parseExpandFilter(src: string): PropertyFilter | undefined {
  const m = /^\s*singleValueExtendedProperties\s*\(\s*\$?filter\s*=(.*)\)\s*$/is.exec(src);
  if (!m) {
    return undefined;
  }
  const toks = tokenize(m[1]!);
  if (!toks) {
    return undefined;
  }
  const p = new Parser(toks);
  const c = p.clause(undefined);
  if (!c || c.prop !== 'id' || !p.done()) {
    return undefined;
  }
  return { id: c.lit };
}

/** Does a message carry the property (and value, compared case-insensitively as Graph does)? */
export function matchesProperty(props: ExtendedProperty[], f: PropertyFilter): boolean {
  return props.some((p) => samePropertyId(p.id, f.id) && (f.value === undefined || p.value.toLowerCase() === f.value.toLowerCase()));
}

/* ----- ids and dates ----- */

/** An Exchange-looking message id ("AAMkA…="), URL-safe. */
export function newMessageId(): string {
  return `AAMkAGI2${randomBytes(30).toString('base64url')}AAA=`;
}

/** A stable mail folder id for a user's well-known folder. */
export function folderIdFor(userId: string, wellKnown: string): string {
  return `AAMkAGI2${createHash('sha1').update(`folder:${userId}:${wellKnown}`).digest('base64url')}AAAAAAEJAAA=`;
}

/** Graph's dateTimeOffset as Outlook returns it: UTC without milliseconds. */
export function outlookDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
