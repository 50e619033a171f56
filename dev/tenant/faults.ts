/** Fault injection: rules matched by method and a path regex, applied before the route runs. */

export interface FaultRule {
  method?: string;
  /** Regex source matched against the path (including /v1.0). */
  path: string;
  status?: 429 | 503 | 504 | 500;
  /** Seconds, sent as Retry-After (429/503; default 1 for those). */
  retryAfter?: number;
  latencyMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** 0..1, default 1. */
  probability?: number;
  /** How many times the rule fires; default unlimited. */
  times?: number;
}

interface ActiveRule {
  rule: FaultRule;
  re: RegExp;
  left: number;
}

export class Faults {
  private rules: ActiveRule[] = [];

  constructor(rules: FaultRule[] = [], private readonly random: () => number = Math.random) {
    this.set(rules);
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => {
      if (!rule || typeof rule.path !== 'string') {
        throw new Error('a fault rule needs a path (regex source)');
      }
      return { rule, re: new RegExp(rule.path), left: rule.times ?? Infinity };
    });
  }

  list(): Array<FaultRule & { remaining: number | null }> {
    return this.rules.map((r) => ({ ...r.rule, remaining: Number.isFinite(r.left) ? r.left : null }));
  }

  /** The first rule that fires for this request (consuming one of its `times`). */
  match(method: string, path: string): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.left <= 0) {
        continue;
      }
      if (r.rule.method && r.rule.method.toUpperCase() !== method.toUpperCase()) {
        continue;
      }
      if (!r.re.test(path)) {
        continue;
      }
      if (r.rule.probability !== undefined && this.random() >= r.rule.probability) {
        continue;
      }
      r.left -= 1;
      return r.rule;
    }
    return undefined;
  }
}

export const FAULT_CODES: Record<number, { code: string; message: string }> = {
  429: { code: 'activityLimitReached', message: 'The request has been throttled' },
  503: { code: 'serviceNotAvailable', message: 'The service is temporarily unavailable. Try again after a delay.' },
  504: { code: 'UnknownError', message: 'Gateway timeout.' },
  500: { code: 'generalException', message: 'An unspecified error has occurred.' }
};
