/** Small HTTP helpers for the tenant's contract tests (plain fetch, no Graph client). */
import assert from 'node:assert/strict';
import type { RunningTenant } from '../../../dev/tenant/server';

export interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function call(t: RunningTenant, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const url = path.startsWith('http') ? path : `${t.graphBase}${path}`;
  const h: Record<string, string> = { authorization: `Bearer ${t.token}`, ...headers };
  let payload: string | Buffer | undefined;
  if (Buffer.isBuffer(body)) {
    payload = body;
    h['content-type'] ??= 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const get = (t: RunningTenant, path: string, headers?: Record<string, string>): Promise<Res> => call(t, 'GET', path, undefined, headers);

/** Follows @odata.nextLink to the end; returns every item and the final page. */
export async function all(t: RunningTenant, first: string): Promise<{ items: any[]; last: any; pages: number }> {
  const items: any[] = [];
  let url: string | undefined = first;
  let last: any;
  let pages = 0;
  while (url) {
    const r = await get(t, url);
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.value);
    last = r.body;
    pages++;
    url = r.body['@odata.nextLink'];
  }
  return { items, last, pages };
}

/** Graph's error body: { error: { code, message, innerError: { date, request-id, client-request-id } } }. */
export function assertGraphError(r: Res, status: number, code?: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.body?.error?.code, 'string', r.text);
  assert.equal(typeof r.body.error.message, 'string');
  assert.match(r.body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.equal(typeof r.body.error.innerError['request-id'], 'string');
  assert.equal(typeof r.body.error.innerError['client-request-id'], 'string');
  if (code) {
    assert.equal(r.body.error.code, code);
  }
}
