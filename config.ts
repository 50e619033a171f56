/**
 * The one configuration schema. Read once at start from the environment, validated with zod; a bad or
 * missing value stops start-up with a message naming the key and what is expected. `summarizeConfig`
 * gives the redacted view that is logged. Every key is documented in env.sample.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optStr = z.string().trim().min(1).optional();

/** Raw environment schema: key names are the environment variable names. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: optStr,
  PORT: int(0, 65535).default(3978),
  PUBLIC_BASE_URL: z.string().url().optional(),

  // Bot Framework (names as botbuilder's ConfigurationBotFrameworkAuthentication reads them)
  MicrosoftAppId: optStr,
  MicrosoftAppPassword: optStr,
  MicrosoftAppTenantId: optStr,
  MicrosoftAppType: z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).default('SingleTenant'),

  // Microsoft Graph
  GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com/v1.0'),
  GRAPH_TENANT_ID: optStr,
  GRAPH_CLIENT_ID: optStr,
  GRAPH_CLIENT_SECRET: optStr,
  GRAPH_CERTIFICATE_PATH: optStr,
  GRAPH_STATIC_TOKEN: optStr,
  SHAREPOINT_SITE_ID: optStr,
  UNITS_LIST: z.string().min(1).default('Enheter'),
  STAFF_LIBRARY: z.string().min(1).default('Personallistor'),
  MAILBOX: z.string().email().optional(),
  JOURLEDARE_GROUP_ID: optStr,
  ADMIN_GROUP_ID: optStr,
  GRAPH_MAX_CONCURRENCY: int(1, 32).default(4),
  GRAPH_MAX_RETRIES: int(0, 10).default(5),
  GRAPH_TIMEOUT_MS: int(1000, 120000).default(30000),
  UNITS_CACHE_REFRESH_SECONDS: int(0, 24 * 3600).default(60),
  UNITS_CACHE_MAX_AGE_SECONDS: int(1, 24 * 3600).default(300),

  // Store
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional(),
  DATA_DIR: z.string().min(1).default('./data'),

  // Notifications, sync
  NOTIFICATION_CLIENT_STATE: z.string().min(16, 'at least 16 characters').optional(),
  SYNC_ENABLED: bool.default('true'),
  SYNC_INTERVAL_MINUTES: int(1, 24 * 60).default(60),
  SYNC_MAX_REVOKE_SHARE: z.coerce.number().min(0).max(1).default(0.2),
  SYNC_NOTIFICATIONS: bool.default('true'),
  ADMIN_EMAIL: z.string().email().optional(),

  // Outbox
  OUTBOX_MAX_ATTEMPTS: int(1, 50).default(8),
  OUTBOX_POLL_MS: int(50, 60000).default(1000),
  OUTBOX_LEASE_SECONDS: int(5, 3600).default(60),

  // Call-in flow
  CALLIN_RETENTION_DAYS: int(1, 3650).default(400),
  REMINDER_MINUTES: int(1, 24 * 60).default(30),
  EXTRA_HOLIDAYS: z.string().default('midsommarafton,julafton,nyarsafton'),
  JOURTID_ENFORCE: bool.optional(),
  CLOCK_START: z.string().datetime({ offset: true }).optional(),
  BOT_LOCALE: z.enum(['sv-SE', 'en-US']).optional(),

  // Local mode
  LOCAL_TENANT_PORT: int(0, 65535).default(5055),
  PLAYGROUND_PORT: int(0, 65535).default(56150)
});

export type Env = z.infer<typeof envSchema>;

export type Mode = 'local' | 'production';

export interface Config extends Env {
  mode: Mode;
  /** Address the server binds to: loopback in local mode. */
  host: string;
  /** Refuse (production) or warn (local) when a call-in is outside jourtid. */
  enforceJourtid: boolean;
  extraHolidays: string[];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}\nSee env.sample for every setting.`);
    this.name = 'ConfigError';
  }
}

/** Settings that, when any is given, switch to production mode; then all are required. */
const PRODUCTION_KEYS = [
  'MicrosoftAppId',
  'MicrosoftAppTenantId',
  'GRAPH_TENANT_ID',
  'GRAPH_CLIENT_ID',
  'SHAREPOINT_SITE_ID',
  'MAILBOX',
  'JOURLEDARE_GROUP_ID',
  'ADMIN_GROUP_ID',
  'PUBLIC_BASE_URL',
  'NOTIFICATION_CLIENT_STATE',
  'DATABASE_URL'
] as const;

/**
 * Validates the environment. Mode is local when none of the Microsoft 365 settings is given
 * (DESIGN §7); otherwise every production key is required.
 * @throws ConfigError naming each bad key and what is expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') {
      raw[key] = v.trim();
    }
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(raw[String(i.path[0])] ?? null)})`)
    );
  }
  const e = parsed.data;
  // Credentials decide the mode: the local launcher sets site, mailbox and group ids of the local tenant.
  const m365Given = ['MicrosoftAppId', 'GRAPH_CLIENT_ID', 'GRAPH_TENANT_ID'].some(
    (k) => (e as Record<string, unknown>)[k] !== undefined
  );
  const mode: Mode = m365Given ? 'production' : 'local';
  const problems: string[] = [];
  if (mode === 'production') {
    for (const key of PRODUCTION_KEYS) {
      if ((e as Record<string, unknown>)[key] === undefined) {
        problems.push(`${key}: required when Microsoft 365 settings are given (production mode)`);
      }
    }
    if (!e.GRAPH_CLIENT_SECRET && !e.GRAPH_CERTIFICATE_PATH) {
      problems.push('GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH: one is required in production mode');
    }
    if (e.MicrosoftAppType !== 'UserAssignedMSI' && !e.MicrosoftAppPassword) {
      problems.push('MicrosoftAppPassword: required for the bot registration (or MicrosoftAppType=UserAssignedMSI)');
    }
    if (e.PUBLIC_BASE_URL && !e.PUBLIC_BASE_URL.startsWith('https://')) {
      problems.push('PUBLIC_BASE_URL: must be https:// in production (Graph only notifies HTTPS endpoints)');
    }
    if (e.GRAPH_STATIC_TOKEN) {
      problems.push('GRAPH_STATIC_TOKEN: only for local mode; remove it in production');
    }
  } else if (e.NODE_ENV === 'production') {
    problems.push(
      'NODE_ENV=production but no Microsoft 365 settings: local mode refuses to run in production (set the production keys listed in env.sample)'
    );
  }
  if (mode === 'local' && e.HOST && !isLoopback(e.HOST)) {
    problems.push(`HOST: local mode listens on loopback only (got ${e.HOST})`);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return {
    ...e,
    mode,
    host: e.HOST ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0'),
    enforceJourtid: e.JOURTID_ENFORCE ?? mode === 'production',
    extraHolidays: e.EXTRA_HOLIDAYS.split(',').map((s) => s.trim()).filter(Boolean)
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

const SECRET_KEYS = new Set(['MicrosoftAppPassword', 'GRAPH_CLIENT_SECRET', 'GRAPH_STATIC_TOKEN', 'NOTIFICATION_CLIENT_STATE']);

/** A redacted copy of the configuration, safe to log. */
export function summarizeConfig(c: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined) {
      continue;
    }
    if (SECRET_KEYS.has(k)) {
      out[k] = '[redacted]';
    } else if (k === 'DATABASE_URL' && typeof v === 'string') {
      out[k] = v.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:[redacted]@');
    } else {
      out[k] = v;
    }
  }
  return out;
}
