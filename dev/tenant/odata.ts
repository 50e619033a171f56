/** Small OData query helpers shared by the routes. */
import type { GraphRequest } from './http';

/** Graph v1.0 accepts system query options with or without the `$`. */
export function q(req: GraphRequest, name: string): string | undefined {
  return req.query.get(`$${name}`) ?? req.query.get(name) ?? undefined;
}

export function topOf(req: GraphRequest, def: number, max: number): number | 'invalid' {
  const raw = q(req, 'top');
  if (raw === undefined) {
    return def;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    return 'invalid';
  }
  return Math.min(n, max);
}

/** `$select=a,b` → ['a','b'] (undefined when absent). */
export function selectOf(req: GraphRequest): string[] | undefined {
  const raw = q(req, 'select');
  return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

/** Keeps only selected top-level properties (and OData annotations). */
export function applySelect<T extends Record<string, unknown>>(obj: T, select: string[] | undefined): Record<string, unknown> {
  if (!select) {
    return obj;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('@') || select.includes(k)) {
      out[k] = v;
    }
  }
  return out;
}

/**
 * Parses `$expand=fields`, `fields($select=A,B)` or `fields(select=A,B)`.
 * Returns undefined when fields is not expanded, [] for all fields, or the selected names.
 */
export function expandFieldsOf(req: GraphRequest): string[] | undefined {
  const raw = q(req, 'expand');
  if (!raw) {
    return undefined;
  }
  const m = /(^|,)\s*fields\s*(\(([^)]*)\))?/i.exec(raw);
  if (!m) {
    return undefined;
  }
  const inner = m[3];
  if (!inner) {
    return [];
  }
  const sel = /\$?select=([^;]*)/i.exec(inner);
  return sel ? sel[1]!.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** Rebuilds the current URL with a changed query, for @odata.nextLink. */
export function linkWith(req: GraphRequest, changes: Record<string, string | undefined>): string {
  const params = new URLSearchParams(req.query);
  for (const [k, v] of Object.entries(changes)) {
    params.delete(k);
    params.delete(k.replace(/^\$/, ''));
    if (v !== undefined) {
      params.set(k, v);
    }
  }
  const qs = params.toString().replace(/%24/g, '$').replace(/%2C/gi, ',');
  return `${req.base}${encodePath(req.path)}${qs ? '?' + qs : ''}`;
}

export function encodePath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%24/g, '$').replace(/%2C/gi, ','))
    .join('/');
}
