/**
 * Builds the Teams app package: `npm run package` fills manifest.template.json from the environment,
 * validates the manifest and its English localization against Microsoft's published JSON schemas
 * (carried by the npm package @microsoft/app-manifest), and writes
 * manifest/build/trygghetsjouren-<version>.zip with manifest.json, en-us.json, color.png and
 * outline.png at the root of the zip, which is what Teams' "Upload a custom app" expects.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv04, { type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';

/** The manifest schema version the template is written for. */
export const MANIFEST_VERSION = '1.22';

/** The files of the app package, in the order they are zipped. */
export const PACKAGE_FILES = ['manifest.json', 'en-us.json', 'color.png', 'outline.png'] as const;

/** Everything that differs between tenants and releases. */
export interface PackageValues {
  /** The Teams app's id (manifest `id`), a GUID that must stay the same across releases. */
  teamsAppId: string;
  /** The Azure Bot's Microsoft App ID (the Entra app registration's client id). */
  botId: string;
  /** The app version, semver x.y.z; Teams needs a higher one for every update. */
  version: string;
  /** The bot's public host name (no scheme, no path), listed in validDomains. */
  hostname: string;
  websiteUrl: string;
  privacyUrl: string;
  termsOfUseUrl: string;
  /** Entra app id for Teams single sign-on (`webApplicationInfo`); omitted when undefined. */
  ssoAppId?: string;
}

/**
 * The environment variables `npm run package` reads. `required` ones must be set; the others have a
 * default described next to them. MicrosoftAppId and PUBLIC_BASE_URL are the bot's own settings
 * (config.ts, env.sample); the TEAMS_* ones matter only for packaging.
 */
export const PACKAGE_ENV = {
  botId: { name: 'MicrosoftAppId', required: true },
  teamsAppId: { name: 'TEAMS_APP_ID', required: false }, // default: MicrosoftAppId
  hostname: { name: 'PUBLIC_BASE_URL', required: true }, // https://host[/...]: its host goes into validDomains
  websiteUrl: { name: 'TEAMS_APP_WEBSITE_URL', required: false }, // default: https://goteborg.se/
  privacyUrl: { name: 'TEAMS_APP_PRIVACY_URL', required: true },
  termsOfUseUrl: { name: 'TEAMS_APP_TERMS_URL', required: true },
  ssoAppId: { name: 'TEAMS_SSO_APP_ID', required: false } // default: no webApplicationInfo
} as const;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const PLACEHOLDER = /\$\{\{([A-Z0-9_]+)\}\}/g;

/**
 * Reads the package values from an environment and the app version.
 * @throws Error naming every missing or malformed variable at once.
 */
export function valuesFromEnv(env: NodeJS.ProcessEnv, version: string): PackageValues {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  const missing = Object.values(PACKAGE_ENV)
    .filter((v) => v.required && get(v.name) === undefined)
    .map((v) => v.name);
  if (missing.length > 0) {
    throw new Error(`npm run package: missing environment variable(s): ${missing.join(', ')} (see env.sample and docs/production.md)`);
  }
  const botId = get(PACKAGE_ENV.botId.name) as string;
  const baseUrl = get(PACKAGE_ENV.hostname.name) as string;
  if (!/^https:\/\//i.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new Error(`npm run package: ${PACKAGE_ENV.hostname.name} must be the bot's public https:// URL, got "${baseUrl}"`);
  }
  const values: PackageValues = {
    botId,
    teamsAppId: get(PACKAGE_ENV.teamsAppId.name) ?? botId,
    version,
    hostname: new URL(baseUrl).hostname,
    websiteUrl: get(PACKAGE_ENV.websiteUrl.name) ?? 'https://goteborg.se/',
    privacyUrl: get(PACKAGE_ENV.privacyUrl.name) as string,
    termsOfUseUrl: get(PACKAGE_ENV.termsOfUseUrl.name) as string,
    ssoAppId: get(PACKAGE_ENV.ssoAppId.name)
  };
  const problems = checkValues(values);
  if (problems.length > 0) {
    throw new Error(`npm run package: ${problems.join('; ')}`);
  }
  return values;
}

/** Checks the values for what the schema cannot see (or says less clearly); names the variable. */
export function checkValues(values: PackageValues): string[] {
  const problems: string[] = [];
  const guid = (value: string | undefined, name: string): void => {
    if (value !== undefined && !GUID.test(value)) {
      problems.push(`${name} must be a GUID, got "${value}"`);
    }
  };
  const https = (value: string, name: string): void => {
    if (!/^https:\/\/[^\s/]+/i.test(value)) {
      problems.push(`${name} must be an https:// URL, got "${value}"`);
    }
  };
  guid(values.botId, PACKAGE_ENV.botId.name);
  guid(values.teamsAppId, PACKAGE_ENV.teamsAppId.name);
  guid(values.ssoAppId, PACKAGE_ENV.ssoAppId.name);
  if (!HOSTNAME.test(values.hostname)) {
    problems.push(`the public host name (from ${PACKAGE_ENV.hostname.name}) must be a DNS name like bot.example.se, got "${values.hostname}"`);
  }
  https(values.websiteUrl, PACKAGE_ENV.websiteUrl.name);
  https(values.privacyUrl, PACKAGE_ENV.privacyUrl.name);
  https(values.termsOfUseUrl, PACKAGE_ENV.termsOfUseUrl.name);
  if (!SEMVER.test(values.version)) {
    problems.push(`the app version (package.json "version") must be x.y.z, got "${values.version}"`);
  }
  return problems;
}

function placeholders(values: PackageValues): Record<string, string | undefined> {
  return {
    TEAMS_APP_ID: values.teamsAppId,
    MICROSOFT_APP_ID: values.botId,
    APP_VERSION: values.version,
    PUBLIC_HOSTNAME: values.hostname,
    DEVELOPER_WEBSITE_URL: values.websiteUrl,
    DEVELOPER_PRIVACY_URL: values.privacyUrl,
    DEVELOPER_TERMS_URL: values.termsOfUseUrl,
    SSO_APP_ID: values.ssoAppId
  };
}

/**
 * Fills the template's `${{NAME}}` placeholders. Without an SSO app id, `webApplicationInfo` is
 * left out. Pure: the template is not changed.
 * @throws Error naming a placeholder that has no value.
 */
export function fillManifest(template: unknown, values: PackageValues): Record<string, unknown> {
  const map = placeholders(values);
  const copy = JSON.parse(JSON.stringify(template)) as Record<string, unknown>;
  if (values.ssoAppId === undefined) {
    delete copy.webApplicationInfo;
  }
  const fill = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (_m, name: string) => {
        const value = map[name];
        if (value === undefined) {
          throw new Error(`manifest template: no value for \${{${name}}} at ${path}`);
        }
        return value;
      });
    }
    if (Array.isArray(node)) {
      return node.map((item, i) => fill(item, `${path}[${i}]`));
    }
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, path === '' ? k : `${path}.${k}`)]));
    }
    return node;
  };
  return fill(copy, '') as Record<string, unknown>;
}

let validators: { manifest: ValidateFunction; localization: ValidateFunction } | undefined;

/** Microsoft's schema files as published in @microsoft/app-manifest, for the version we target. */
export function schemaPaths(): { manifest: string; localization: string } {
  const dir = `@microsoft/app-manifest/build/json-schemas/teams/v${MANIFEST_VERSION}`;
  return {
    manifest: require.resolve(`${dir}/MicrosoftTeams.schema.json`),
    localization: require.resolve(`${dir}/MicrosoftTeams.Localization.schema.json`)
  };
}

function getValidators(): { manifest: ValidateFunction; localization: ValidateFunction } {
  if (validators === undefined) {
    // The schemas are draft-04; same Ajv set-up as @microsoft/app-manifest's own validator, except
    // unicodeRegExp: the localization schema has patterns like `\b]` (a lone bracket) that are
    // valid JavaScript regexes only without the `u` flag, which Ajv 8 adds by default.
    const ajv = new Ajv04({ allErrors: true, strictTypes: false, unicodeRegExp: false });
    addFormats(ajv, ['uri', 'email', 'regex']);
    const paths = schemaPaths();
    const load = (file: string): object => JSON.parse(readFileSync(file, 'utf8')) as object;
    validators = { manifest: ajv.compile(load(paths.manifest)), localization: ajv.compile(load(paths.localization)) };
  }
  return validators;
}

function schemaErrors(validate: ValidateFunction, doc: unknown): string[] {
  if (validate(doc)) {
    return [];
  }
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
}

/**
 * Validates a filled manifest against the official v1.22 schema, plus what Teams enforces beyond
 * the schema (semver app version, the bot present with a GUID id, the icon file names we ship).
 * @returns the problems; empty when the manifest is valid.
 */
export function validateManifest(manifest: unknown): string[] {
  const errors = schemaErrors(getValidators().manifest, manifest);
  const m = manifest as { version?: unknown; bots?: { botId?: unknown }[]; icons?: { color?: unknown; outline?: unknown } };
  if (typeof m?.version !== 'string' || !SEMVER.test(m.version)) {
    errors.push(`/version must be semver x.y.z, got ${JSON.stringify(m?.version)}`);
  }
  if (!Array.isArray(m?.bots) || m.bots.length !== 1 || typeof m.bots[0]?.botId !== 'string') {
    errors.push('/bots must hold exactly one bot with a botId');
  }
  if (m?.icons?.color !== 'color.png' || m?.icons?.outline !== 'outline.png') {
    errors.push('/icons must name color.png and outline.png (the files in the package)');
  }
  return errors;
}

/** The localization keys a manifest's bot command lists need, in order. */
export function commandKeys(manifest: unknown): string[] {
  const lists = (manifest as { bots?: { commandLists?: { commands?: unknown[] }[] }[] }).bots?.[0]?.commandLists ?? [];
  return lists.flatMap((list, j) =>
    (list.commands ?? []).flatMap((_c, i) => [
      `bots[0].commandLists[${j}].commands[${i}].title`,
      `bots[0].commandLists[${j}].commands[${i}].description`
    ])
  );
}

/**
 * Validates a localization file against the official schema and against the manifest: it must
 * translate every command of every command list (no more, no fewer), keep the command titles
 * (they are what the user types, and the bot understands them in either language), and name the
 * app the same short way.
 * @returns the problems; empty when the file is valid.
 */
export function validateLocalization(localization: unknown, manifest: unknown): string[] {
  const errors = schemaErrors(getValidators().localization, localization);
  const loc = (localization ?? {}) as Record<string, unknown>;
  const wanted = commandKeys(manifest);
  const present = Object.keys(loc).filter((k) => k.startsWith('bots['));
  for (const key of wanted.filter((k) => !(k in loc))) {
    errors.push(`localization: missing ${key}`);
  }
  for (const key of present.filter((k) => !wanted.includes(k))) {
    errors.push(`localization: ${key} has no command in the manifest`);
  }
  const lists = (manifest as { bots?: { commandLists?: { commands?: { title?: string }[] }[] }[] }).bots?.[0]?.commandLists ?? [];
  lists.forEach((list, j) =>
    (list.commands ?? []).forEach((command, i) => {
      const key = `bots[0].commandLists[${j}].commands[${i}].title`;
      if (key in loc && loc[key] !== command.title) {
        errors.push(`localization: ${key} is "${String(loc[key])}", the manifest says "${command.title}"`);
      }
    })
  );
  return errors;
}

/** Reads a file of the manifest folder. */
function manifestFile(name: string, dir: string): Buffer {
  return readFileSync(join(dir, name));
}

/**
 * Builds the app zip in memory: fills and validates the manifest and the localization file and
 * puts them next to the icons. Deterministic for the same inputs (fixed file dates).
 * @throws Error listing every validation problem.
 */
export async function buildPackage(values: PackageValues, dir: string = __dirname): Promise<Buffer> {
  const problems = checkValues(values);
  const template = JSON.parse(manifestFile('manifest.template.json', dir).toString('utf8')) as unknown;
  const manifest = fillManifest(template, values);
  const localization = JSON.parse(manifestFile('en-us.json', dir).toString('utf8')) as unknown;
  problems.push(...validateManifest(manifest), ...validateLocalization(localization, manifest));
  if (problems.length > 0) {
    throw new Error(`The Teams app package is not valid:\n- ${problems.join('\n- ')}`);
  }
  const date = new Date(Date.UTC(2020, 0, 1));
  const zip = new JSZip();
  const contents: Record<(typeof PACKAGE_FILES)[number], Buffer | string> = {
    'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'en-us.json': manifestFile('en-us.json', dir),
    'color.png': manifestFile('color.png', dir),
    'outline.png': manifestFile('outline.png', dir)
  };
  for (const name of PACKAGE_FILES) {
    zip.file(name, contents[name], { date });
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** `npm run package`: builds the zip from the environment and writes it under manifest/build/. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  const values = valuesFromEnv(env, pkg.version);
  const zip = await buildPackage(values);
  const outDir = join(__dirname, 'build');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `trygghetsjouren-${values.version}.zip`);
  writeFileSync(file, zip);
  return file;
}

if (require.main === module) {
  main().then(
    (file) => console.log(`wrote ${file}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    }
  );
}
