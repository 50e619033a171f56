import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, summarizeConfig } from '../../config';

const PROD = {
  MicrosoftAppId: '11111111-1111-1111-1111-111111111111',
  MicrosoftAppPassword: 'bot-secret',
  MicrosoftAppTenantId: '22222222-2222-2222-2222-222222222222',
  GRAPH_TENANT_ID: '22222222-2222-2222-2222-222222222222',
  GRAPH_CLIENT_ID: '33333333-3333-3333-3333-333333333333',
  GRAPH_CLIENT_SECRET: 'graph-secret',
  SHAREPOINT_SITE_ID: 'contoso.sharepoint.com,abc,def',
  MAILBOX: 'trygghetsjouren@goteborg.se',
  JOURLEDARE_GROUP_ID: 'g1',
  ADMIN_GROUP_ID: 'g2',
  PUBLIC_BASE_URL: 'https://bot.example.se',
  NOTIFICATION_CLIENT_STATE: 'a-long-random-client-state',
  DATABASE_URL: 'postgres://bot:hemligt@db:5432/tj'
};

describe('config', () => {
  it('no Microsoft 365 settings → local mode on loopback, warn-only jourtid', () => {
    const c = loadConfig({});
    assert.equal(c.mode, 'local');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.PORT, 3978);
    assert.equal(c.enforceJourtid, false);
    assert.deepEqual(c.extraHolidays, ['midsommarafton', 'julafton', 'nyarsafton']);
  });

  it('a complete production configuration is accepted and binds to all interfaces', () => {
    const c = loadConfig({ ...PROD, NODE_ENV: 'production' });
    assert.equal(c.mode, 'production');
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.enforceJourtid, true);
  });

  const bad: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['a bad port', { PORT: 'abc' }, /PORT: Expected number/],
    ['a port out of range', { PORT: '70000' }, /PORT: .*65535/],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL: Invalid enum value/],
    ['a non-postgres DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL: a postgres:\/\/ URL/],
    ['local mode in production', { NODE_ENV: 'production' }, /local mode refuses to run in production/],
    ['local mode on a public address', { HOST: '0.0.0.0' }, /HOST: local mode listens on loopback only/],
    ['production without a mailbox', { ...PROD, MAILBOX: '' }, /MAILBOX: required/],
    ['production without any Graph credential', { ...PROD, GRAPH_CLIENT_SECRET: '' }, /GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH/],
    ['production over http', { ...PROD, PUBLIC_BASE_URL: 'http://bot.example.se' }, /must be https/],
    ['production with the local static token', { ...PROD, GRAPH_STATIC_TOKEN: 'x' }, /only for local mode/],
    ['a short client state', { ...PROD, NOTIFICATION_CLIENT_STATE: 'short' }, /NOTIFICATION_CLIENT_STATE: at least 16/],
    ['an app id alone', { MicrosoftAppId: 'abc' }, /GRAPH_CLIENT_ID: required/]
  ];
  for (const [what, env, message] of bad) {
    it(`refuses ${what}, naming the key`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('the redacted summary hides secrets and the database password', () => {
    const s = JSON.stringify(summarizeConfig(loadConfig(PROD)));
    for (const secret of ['bot-secret', 'graph-secret', 'a-long-random-client-state', 'hemligt']) {
      assert.ok(!s.includes(secret), `${secret} leaked`);
    }
    assert.match(s, /postgres:\/\/bot:\[redacted\]@db:5432/);
  });

  it('env.sample lists every key of the schema, and nothing else', () => {
    const sample = fs.readFileSync(path.join(__dirname, '..', '..', 'env.sample'), 'utf8');
    const keys = new Set([...sample.matchAll(/^#?\s?([A-Za-z_]+)=/gm)].map((m) => m[1]));
    const schemaKeys = Object.keys(loadConfig({})).filter((k) => !['mode', 'host', 'enforceJourtid', 'extraHolidays'].includes(k));
    const all = new Set([
      ...schemaKeys,
      ...Object.keys(PROD),
      'HOST', 'PUBLIC_BASE_URL', 'GRAPH_CERTIFICATE_PATH', 'GRAPH_STATIC_TOKEN', 'JOURTID_ENFORCE', 'CLOCK_START', 'ADMIN_EMAIL', 'BOT_LOCALE'
    ]);
    assert.deepEqual([...all].filter((k) => !keys.has(k)), [], 'keys missing from env.sample');
    // TEAMS_* keys are read by `npm run package` only (manifest/package.ts), not by the bot.
    assert.deepEqual([...keys].filter((k) => !all.has(k) && !k.startsWith('TEAMS_')), [], 'keys in env.sample unknown to the schema');
  });
});
