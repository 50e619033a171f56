/**
 * Settings of graph/. Validated by the composition root (index.ts) from the environment; graph/ only
 * applies defaults.
 */

export type GraphAuthSettings =
  | { kind: 'static'; token: string }
  | { kind: 'clientSecret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string; thumbprint?: string };

export interface GraphSettings {
  /** 'https://graph.microsoft.com/v1.0', or the local tenant's `graphBase`. */
  baseUrl: string;
  auth: GraphAuthSettings;
  /** SharePoint site id, or the 'host:/sites/path' form (resolved on first use). */
  siteId: string;
  /** List id or display name; default 'Enheter'. */
  unitsList: string;
  /** Drive id or library name; default 'Personallistor'. */
  staffDrive: string;
  /** UPN or id of the mailbox that sends the notices. */
  mailbox: string;
  jourledareGroupId: string;
  adminGroupId: string;
  /** Requests in flight toward Graph at once, per process; default 4 (Outlook allows 4 per mailbox). */
  maxConcurrency?: number;
  /** Retries after the first attempt; default 5. */
  maxRetries?: number;
  /** Per attempt, including reading the body; default 30000. */
  timeoutMs?: number;
  /** Longest single wait between attempts, even if Retry-After asks for more; default 120000. */
  maxRetryDelayMs?: number;
  /** Folder grants send Microsoft's sharing invitation mail; default false (access only). */
  inviteSendsMail?: boolean;
  /** Authorization lookups (jourledare/admin) are cached this long; default 300000 (5 min). */
  authzCacheMs?: number;
  /**
   * A parsed staff list is trusted without asking Graph for this long after it was read, unless drive
   * delta (`staff.refresh()`) says its folder changed; default 6 h. Bounds how long personal data
   * sits in memory unchecked.
   */
  staffCacheMaxAgeMs?: number;
  /**
   * The units list is held in memory per instance and kept fresh by list-item delta (graph/units.ts
   * UnitsCache): a background delta runs when nothing validated it for this long; default 60000;
   * 0 = none (then only unitsCacheMaxAgeMs and the sync's delta refresh it).
   */
  unitsCacheRefreshMs?: number;
  /** A read waits for a delta when the cached units list is older than this; default 300000. */
  unitsCacheMaxAgeMs?: number;
}

/** Where delta links are kept between runs (the store implements it). */
export interface DeltaStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface ResolvedLimits {
  maxConcurrency: number;
  maxRetries: number;
  timeoutMs: number;
  maxRetryDelayMs: number;
}

export function limitsOf(s: GraphSettings): ResolvedLimits {
  return {
    maxConcurrency: Math.max(1, s.maxConcurrency ?? 4),
    maxRetries: Math.max(0, s.maxRetries ?? 5),
    timeoutMs: Math.max(1, s.timeoutMs ?? 30_000),
    maxRetryDelayMs: Math.max(0, s.maxRetryDelayMs ?? 120_000)
  };
}

/** An in-memory DeltaStore, for tests and for local mode without a store. */
export function memoryDeltaStore(): DeltaStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: async (key) => entries.get(key),
    set: async (key, value) => {
      entries.set(key, value);
    }
  };
}
