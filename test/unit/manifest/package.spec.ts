import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import JSZip from 'jszip';
import {
  MANIFEST_VERSION,
  PACKAGE_FILES,
  buildPackage,
  commandKeys,
  fillManifest,
  main,
  schemaPaths,
  validateLocalization,
  validateManifest,
  valuesFromEnv,
  type PackageValues
} from '../../../manifest/package';

const MANIFEST_DIR = join(__dirname, '..', '..', '..', 'manifest');
const readJson = (name: string): any => JSON.parse(readFileSync(join(MANIFEST_DIR, name), 'utf8'));

describe('manifest/package', () => {
  const BOT_ID = '0f6b6f0e-3c1d-4a51-9a8e-2b7c1d2e3f40';
  const APP_ID = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const SSO_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
  const VALUES: PackageValues = {
    teamsAppId: APP_ID,
    botId: BOT_ID,
    version: '1.4.2',
    hostname: 'trygghetsjouren.goteborg.se',
    websiteUrl: 'https://goteborg.se/',
    privacyUrl: 'https://goteborg.se/personuppgifter',
    termsOfUseUrl: 'https://goteborg.se/villkor'
  };
  const ENV = {
    MicrosoftAppId: BOT_ID,
    PUBLIC_BASE_URL: 'https://trygghetsjouren.goteborg.se',
    TEAMS_APP_PRIVACY_URL: 'https://goteborg.se/personuppgifter',
    TEAMS_APP_TERMS_URL: 'https://goteborg.se/villkor'
  };
  let template: any;
  let localization: any;
  let filled: any;

  beforeEach(() => {
    template = readJson('manifest.template.json');
    localization = readJson('en-us.json');
    filled = fillManifest(template, VALUES);
  });

  describe('the schema', () => {
    it('is Microsoft\'s published v1.22 schema from @microsoft/app-manifest, the one the template names', () => {
      const paths = schemaPaths();
      for (const file of [paths.manifest, paths.localization]) {
        assert.ok(file.includes(`node_modules${sep}@microsoft${sep}app-manifest${sep}`), file);
        assert.ok(file.includes(`v${MANIFEST_VERSION}`), file);
      }
      const schema = JSON.parse(readFileSync(paths.manifest, 'utf8'));
      assert.equal(schema.properties.manifestVersion.const, '1.22');
      assert.equal(template.manifestVersion, MANIFEST_VERSION);
      assert.equal(template.$schema, 'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json');
      assert.equal(localization.$schema, 'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.Localization.schema.json');
    });
  });

  describe('fillManifest', () => {
    it('fills every placeholder from the values', () => {
      assert.doesNotMatch(JSON.stringify(filled), /\$\{\{/);
      assert.equal(filled.id, APP_ID);
      assert.equal(filled.version, '1.4.2');
      assert.equal(filled.bots[0].botId, BOT_ID);
      assert.deepEqual(filled.validDomains, ['trygghetsjouren.goteborg.se']);
      assert.deepEqual(filled.developer, {
        name: 'Göteborgs Stad',
        websiteUrl: 'https://goteborg.se/',
        privacyUrl: 'https://goteborg.se/personuppgifter',
        termsOfUseUrl: 'https://goteborg.se/villkor'
      });
    });

    it('leaves webApplicationInfo out without an SSO app id and fills it with one', () => {
      assert.equal('webApplicationInfo' in filled, false);
      const withSso = fillManifest(template, { ...VALUES, ssoAppId: SSO_ID }) as any;
      assert.deepEqual(withSso.webApplicationInfo, { id: SSO_ID, resource: `api://botid-${SSO_ID}` });
      assert.deepEqual(validateManifest(withSso), []);
    });

    it('does not change the template', () => {
      const before = JSON.stringify(template);
      fillManifest(template, VALUES);
      assert.equal(JSON.stringify(template), before);
    });

    it('names a placeholder that has no value', () => {
      assert.throws(() => fillManifest({ name: { short: '${{NO_SUCH_VALUE}}' } }, VALUES), /\$\{\{NO_SUCH_VALUE\}\} at name\.short/);
    });
  });

  describe('validateManifest', () => {
    it('accepts the filled manifest under the official schema', () => {
      assert.deepEqual(validateManifest(filled), []);
    });

    it('declares a personal and team bot without files, Swedish by default with English added', () => {
      const bot = filled.bots[0];
      assert.deepEqual(bot.scopes, ['personal', 'team']);
      assert.equal(bot.supportsFiles, false);
      assert.deepEqual(filled.localizationInfo, {
        defaultLanguageTag: 'sv-SE',
        additionalLanguages: [{ languageTag: 'en-US', file: 'en-us.json' }]
      });
      const personal = bot.commandLists.find((l: any) => l.scopes.includes('personal'));
      assert.deepEqual(
        personal.commands.map((c: any) => c.title),
        ['ny frånvaro', 'ikväll', 'logg', 'enhet', 'hjälp', 'behörighet', 'synk']
      );
      const team = bot.commandLists.find((l: any) => l.scopes.includes('team'));
      assert.deepEqual(team.commands.map((c: any) => c.title), ['behörighet', 'synk', 'hjälp']);
    });

    const INVALID: Array<[string, (m: any) => void, RegExp]> = [
      ['a manifest version Teams does not have', (m) => { m.manifestVersion = '1.99'; }, /\/manifestVersion/],
      ['an app version that is not semver', (m) => { m.version = '1.0'; }, /\/version must be semver/],
      ['an app version with a prefix', (m) => { m.version = 'v1.0.0'; }, /\/version must be semver/],
      ['no bot id', (m) => { delete m.bots[0].botId; }, /botId/],
      ['a bot id that is not a GUID', (m) => { m.bots[0].botId = 'trygghetsjouren'; }, /\/bots\/0\/botId must match pattern/],
      ['an app id that is not a GUID', (m) => { m.id = '42'; }, /\/id must match pattern/],
      ['no developer privacy URL', (m) => { delete m.developer.privacyUrl; }, /privacyUrl/],
      ['a developer name over 32 characters', (m) => { m.developer.name = 'Göteborgs Stad, Äldre samt vård- och omsorgsförvaltningen'; }, /\/developer\/name/],
      ['a short description over 80 characters', (m) => { m.description.short = 'x'.repeat(81); }, /\/description\/short/],
      ['a property the schema does not know', (m) => { m.nightMode = true; }, /additional properties/],
      ['more than 10 commands in a list', (m) => {
        m.bots[0].commandLists[0].commands = Array.from({ length: 11 }, (_v, i) => ({ title: `c${i}`, description: 'd' }));
      }, /\/bots\/0\/commandLists\/0\/commands/],
      ['an icon we do not ship', (m) => { m.icons.color = 'logo.png'; }, /\/icons must name color\.png/],
      ['a second bot', (m) => { m.bots.push({ ...m.bots[0] }); }, /\/bots/]
    ];
    for (const [what, spoil, expected] of INVALID) {
      it(`rejects ${what}`, () => {
        const m = JSON.parse(JSON.stringify(filled));
        spoil(m);
        const errors = validateManifest(m);
        assert.ok(errors.length > 0, 'expected errors');
        assert.match(errors.join('\n'), expected);
      });
    }
  });

  describe('validateLocalization', () => {
    it('accepts en-us.json under the official localization schema', () => {
      assert.deepEqual(validateLocalization(localization, filled), []);
    });

    it('has the same command list in Swedish and English: every command, same titles, translated descriptions', () => {
      const keys = commandKeys(filled);
      assert.equal(keys.length, 2 * (7 + 3));
      assert.deepEqual(Object.keys(localization).filter((k) => k.startsWith('bots[')).sort(), [...keys].sort());
      filled.bots[0].commandLists.forEach((list: any, j: number) =>
        list.commands.forEach((command: any, i: number) => {
          const prefix = `bots[0].commandLists[${j}].commands[${i}]`;
          assert.equal(localization[`${prefix}.title`], command.title);
          const en = localization[`${prefix}.description`];
          assert.ok(typeof en === 'string' && en.length > 0, prefix);
          assert.notEqual(en, command.description, `${prefix}.description is not translated`);
        })
      );
    });

    const INVALID: Array<[string, (l: any) => void, RegExp]> = [
      ['a missing command', (l) => { delete l['bots[0].commandLists[0].commands[6].description']; }, /missing bots\[0\]\.commandLists\[0\]\.commands\[6\]\.description/],
      ['a command the manifest does not have', (l) => { l['bots[0].commandLists[1].commands[3].title'] = 'extra'; }, /commands\[3\]\.title has no command/],
      ['a renamed command', (l) => { l['bots[0].commandLists[0].commands[0].title'] = 'new absence'; }, /the manifest says "ny frånvaro"/],
      ['a key the schema does not know', (l) => { l['name.medium'] = 'x'; }, /additional properties/],
      ['a short name over 30 characters', (l) => { l['name.short'] = 'x'.repeat(31); }, /name\.short/],
      ['no short description', (l) => { delete l['description.short']; }, /description\.short/]
    ];
    for (const [what, spoil, expected] of INVALID) {
      it(`rejects ${what}`, () => {
        const l = JSON.parse(JSON.stringify(localization));
        spoil(l);
        assert.match(validateLocalization(l, filled).join('\n'), expected);
      });
    }
  });

  describe('valuesFromEnv', () => {
    it('reads the values, the Teams app id defaulting to the bot id, the host from PUBLIC_BASE_URL', () => {
      assert.deepEqual(valuesFromEnv(ENV, '1.4.2'), { ...VALUES, teamsAppId: BOT_ID, ssoAppId: undefined });
      assert.equal(valuesFromEnv({ ...ENV, TEAMS_APP_ID: APP_ID }, '1.4.2').teamsAppId, APP_ID);
      assert.equal(valuesFromEnv({ ...ENV, PUBLIC_BASE_URL: 'https://Bot.Example.se:443/bot/' }, '1.4.2').hostname, 'bot.example.se');
    });

    it('names every missing variable at once; blank counts as missing', () => {
      assert.throws(
        () => valuesFromEnv({ PUBLIC_BASE_URL: 'https://x.se', TEAMS_APP_TERMS_URL: ' ' }, '1.0.0'),
        (err: Error) => err.message.includes('missing environment variable(s): MicrosoftAppId, TEAMS_APP_PRIVACY_URL, TEAMS_APP_TERMS_URL')
      );
    });

    const MALFORMED: Array<[string, Record<string, string>, string, RegExp]> = [
      ['a public URL without https', { PUBLIC_BASE_URL: 'http://bot.example.se' }, '1.0.0', /PUBLIC_BASE_URL must be the bot's public https:\/\/ URL/],
      ['a bare host name as public URL', { PUBLIC_BASE_URL: 'bot.example.se' }, '1.0.0', /PUBLIC_BASE_URL must be the bot's public https:\/\/ URL/],
      ['a public URL whose host is not a DNS name', { PUBLIC_BASE_URL: 'https://bot_example' }, '1.0.0', /public host name \(from PUBLIC_BASE_URL\) must be a DNS name/],
      ['a bot id that is not a GUID', { MicrosoftAppId: 'bot' }, '1.0.0', /MicrosoftAppId must be a GUID/],
      ['an SSO app id that is not a GUID', { TEAMS_SSO_APP_ID: 'sso' }, '1.0.0', /TEAMS_SSO_APP_ID must be a GUID/],
      ['an http privacy URL', { TEAMS_APP_PRIVACY_URL: 'http://goteborg.se' }, '1.0.0', /TEAMS_APP_PRIVACY_URL must be an https:\/\/ URL/],
      ['a package version that is not x.y.z', {}, '1.0.0-beta', /must be x\.y\.z/]
    ];
    for (const [what, change, version, expected] of MALFORMED) {
      it(`refuses ${what}`, () => {
        assert.throws(() => valuesFromEnv({ ...ENV, ...change }, version), expected);
      });
    }
  });

  describe('buildPackage', () => {
    it('zips exactly the four files at the root, with the filled manifest and the files as committed', async () => {
      const zip = await JSZip.loadAsync(await buildPackage(VALUES));
      const names = Object.keys(zip.files).sort();
      assert.deepEqual(names, [...PACKAGE_FILES].sort());
      assert.deepEqual(names, ['color.png', 'en-us.json', 'manifest.json', 'outline.png']);
      const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
      assert.deepEqual(manifest, filled);
      assert.deepEqual(validateManifest(manifest), []);
      for (const name of ['en-us.json', 'color.png', 'outline.png']) {
        assert.ok((await zip.file(name)!.async('nodebuffer')).equals(readFileSync(join(MANIFEST_DIR, name))), name);
      }
    });

    it('is reproducible', async () => {
      assert.ok((await buildPackage(VALUES)).equals(await buildPackage(VALUES)));
    });

    it('refuses invalid values with every problem listed', async () => {
      await assert.rejects(buildPackage({ ...VALUES, version: '2', botId: 'x' }), (err: Error) =>
        /must be x\.y\.z/.test(err.message) && /MicrosoftAppId must be a GUID/.test(err.message) && /\/bots\/0\/botId/.test(err.message)
      );
    });
  });

  describe('main', () => {
    it('names the missing variable and writes nothing', async () => {
      await assert.rejects(main({ ...ENV, MicrosoftAppId: undefined }), /missing environment variable\(s\): MicrosoftAppId/);
    });
  });
});
