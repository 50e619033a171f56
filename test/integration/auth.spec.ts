/**
 * With an app id configured, /api/messages requires a valid Bot Framework token. The tokens and the
 * signing metadata are built here (an RSA key, an OpenID configuration and a JWKS served on loopback),
 * so the adapter's real validation path runs offline: a valid token passes (the control), and no
 * token, a wrong audience, an expired token and a foreign signature are each refused with 401.
 */
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config';
import { silentLogger } from '../../logger';
import { start, type App } from '../../index';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { tenantEnv } from '../helpers/local';

const APP_ID = '7d4f0e2a-1111-4222-8333-944445555666';
const ISSUER = 'https://api.botframework.com';
const KID = 'local-test-key';

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function sign(payload: Record<string, unknown>, key: KeyObject, kid = KID): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(payload));
  const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
  return `${head}.${body}.${b64url(sig)}`;
}

describe('Bot Framework authentication on /api/messages (app id configured)', function () {
  this.timeout(30_000);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let metadata: http.Server;
  let app: App;
  let dataDir: string;
  let tenant: RunningTenant;

  before(async () => {
    const jwk = publicKey.export({ format: 'jwk' });
    metadata = http.createServer((req, res) => {
      const base = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openidconfiguration') {
        res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: [{ ...jwk, kid: KID, use: 'sig', kty: 'RSA' }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r));
    const port = (metadata.address() as AddressInfo).port;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-auth-'));
    tenant = await startTenant({ port: 0 });
    const config = { ...loadConfig(tenantEnv(tenant, { DATA_DIR: dataDir })), MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used', MicrosoftAppTenantId: '22222222-2222-2222-2222-222222222222' };
    app = await start({
      config,
      logger: silentLogger(),
      adapterOverrides: { openIdMetadataUrl: `http://127.0.0.1:${port}/.well-known/openidconfiguration`, tokenIssuer: ISSUER }
    });
  });

  after(async () => {
    await app?.stop();
    await tenant?.stop();
    await new Promise((r) => metadata.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const activity = {
    type: 'event',
    name: 'auth-probe',
    id: 'a1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    from: { id: 'u1' },
    recipient: { id: `28:${APP_ID}` },
    conversation: { id: 'c1' }
  };

  async function post(authorization?: string): Promise<number> {
    const res = await fetch(`${app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ ...activity, id: randomUUID() })
    });
    await res.arrayBuffer();
    return res.status;
  }

  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({ iss: ISSUER, aud: APP_ID, nbf: now() - 60, exp: now() + 3600, serviceurl: activity.serviceUrl });

  it('a valid token is accepted (the control that makes the 401s mean something)', async () => {
    assert.equal(await post(`Bearer ${sign(claims(), privateKey)}`), 200);
  });

  it('no token → 401', async () => {
    assert.equal(await post(), 401);
  });

  it('a token for another audience → 401', async () => {
    assert.equal(await post(`Bearer ${sign({ ...claims(), aud: 'some-other-bot' }, privateKey)}`), 401);
  });

  it('an expired token → 401', async () => {
    assert.equal(await post(`Bearer ${sign({ ...claims(), nbf: now() - 7200, exp: now() - 3600 }, privateKey)}`), 401);
  });

  it('a token signed by a foreign key → 401', async () => {
    assert.equal(await post(`Bearer ${sign(claims(), foreign)}`), 401);
  });

  it('a token from another issuer → 401', async () => {
    assert.equal(await post(`Bearer ${sign({ ...claims(), iss: 'https://evil.example' }, privateKey)}`), 401);
  });
});
