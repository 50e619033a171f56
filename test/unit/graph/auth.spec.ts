import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenProvider } from '../../../graph/auth';
import { GraphError } from '../../../graph/errors';

describe('graph/auth token providers (no network)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'graph-auth-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('static token for the local tenant', async () => {
    assert.equal(await createTokenProvider({ kind: 'static', token: 'local-dev-token' }, 'http://127.0.0.1:1/v1.0').getToken(), 'local-dev-token');
  });

  it('certificate: a PEM with key and certificate builds a provider; a missing file or key is a configuration error', function () {
    this.timeout(15_000);
    const key = path.join(dir, 'key.pem');
    const crt = path.join(dir, 'crt.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=tj-test'], { stdio: 'ignore' });
    const both = path.join(dir, 'both.pem');
    writeFileSync(both, readFileSync(key, 'utf8') + readFileSync(crt, 'utf8'));
    const auth = { kind: 'certificate' as const, tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', certificatePath: both };
    assert.ok(createTokenProvider(auth, 'https://graph.microsoft.com/v1.0'));
    assert.throws(() => createTokenProvider({ ...auth, certificatePath: path.join(dir, 'nope.pem') }, 'https://graph.microsoft.com/v1.0'), (e: GraphError) => e.code === 'configuration');
    assert.throws(() => createTokenProvider({ ...auth, certificatePath: crt }, 'https://graph.microsoft.com/v1.0'), (e: GraphError) => e.code === 'configuration' && /no private key/.test(e.message));
  });
});
