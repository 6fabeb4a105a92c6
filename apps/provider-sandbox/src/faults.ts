import type { ActiveFaultRule, FaultMode, FaultRule, ProviderKind } from './types';

const MODES: readonly FaultMode[] = ['status', 'timeout', 'reset', 'latency'];
const PROVIDERS: readonly ProviderKind[] = ['gr4vy', 'stripe'];
const RULE_KEYS = new Set([
  'provider',
  'path',
  'method',
  'paymentServiceId',
  'stripeAccount',
  'mode',
  'status',
  'latencyMs',
  'retryAfterSeconds',
  'remaining',
]);
const MAX_LATENCY_MS = 10 * 60 * 1000;

export class FaultRuleError extends Error {
  override readonly name = 'FaultRuleError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(raw: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0)
    throw new FaultRuleError(`${where}.${key} must be a non-empty string`);
  return value;
}

function optionalInt(raw: Record<string, unknown>, key: string, where: string, min: number, max: number) {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FaultRuleError(`${where}.${key} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Checks one rule from untrusted input (admin API, SANDBOX_FAULTS); throws a message naming the field. */
export function parseFaultRule(raw: unknown, where = 'rule'): FaultRule {
  if (!isRecord(raw)) throw new FaultRuleError(`${where} must be an object`);
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.has(key) && key !== 'id' && key !== 'applied') {
      throw new FaultRuleError(`${where}.${key} is not a known fault rule field`);
    }
  }
  const mode = raw.mode;
  if (typeof mode !== 'string' || !MODES.includes(mode as FaultMode)) {
    throw new FaultRuleError(`${where}.mode must be one of ${MODES.join(', ')}`);
  }
  const provider = raw.provider;
  if (
    provider !== undefined &&
    (typeof provider !== 'string' || !PROVIDERS.includes(provider as ProviderKind))
  ) {
    throw new FaultRuleError(`${where}.provider must be one of ${PROVIDERS.join(', ')}`);
  }
  const rule: FaultRule = { mode: mode as FaultMode };
  if (provider !== undefined) rule.provider = provider as ProviderKind;
  const path = optionalString(raw, 'path', where);
  if (path !== undefined) {
    if (!path.startsWith('/')) throw new FaultRuleError(`${where}.path must start with '/'`);
    rule.path = path;
  }
  const method = optionalString(raw, 'method', where);
  if (method !== undefined) rule.method = method.toUpperCase();
  const paymentServiceId = optionalString(raw, 'paymentServiceId', where);
  if (paymentServiceId !== undefined) rule.paymentServiceId = paymentServiceId;
  const stripeAccount = optionalString(raw, 'stripeAccount', where);
  if (stripeAccount !== undefined) rule.stripeAccount = stripeAccount;
  if (rule.paymentServiceId !== undefined && rule.provider === 'stripe') {
    throw new FaultRuleError(`${where}.paymentServiceId only applies to provider gr4vy`);
  }
  if (rule.stripeAccount !== undefined && rule.provider === 'gr4vy') {
    throw new FaultRuleError(`${where}.stripeAccount only applies to provider stripe`);
  }
  const status = optionalInt(raw, 'status', where, 400, 599);
  if (mode === 'status') {
    if (status === undefined)
      throw new FaultRuleError(`${where}.status is required for mode 'status' (400..599)`);
    rule.status = status;
  } else if (status !== undefined) {
    throw new FaultRuleError(`${where}.status only applies to mode 'status'`);
  }
  const latencyMs = optionalInt(raw, 'latencyMs', where, 0, MAX_LATENCY_MS);
  if (mode === 'latency' && latencyMs === undefined) {
    throw new FaultRuleError(`${where}.latencyMs is required for mode 'latency'`);
  }
  // On status/timeout/reset rules a latency is a delay before acting.
  if (latencyMs !== undefined) rule.latencyMs = latencyMs;
  const retryAfterSeconds = optionalInt(raw, 'retryAfterSeconds', where, 0, 86400);
  if (retryAfterSeconds !== undefined) rule.retryAfterSeconds = retryAfterSeconds;
  const remaining = optionalInt(raw, 'remaining', where, 1, Number.MAX_SAFE_INTEGER);
  if (remaining !== undefined) rule.remaining = remaining;
  return rule;
}

/** A single rule or an array of rules. */
export function parseFaultRules(raw: unknown, where = 'faults'): FaultRule[] {
  if (Array.isArray(raw)) return raw.map((r, i) => parseFaultRule(r, `${where}[${i}]`));
  return [parseFaultRule(raw, where)];
}

/** What a request looks like to the fault matcher. */
export interface FaultTarget {
  provider: ProviderKind;
  method: string;
  path: string;
  /** The route pattern, e.g. '/checkout/sessions/:session_id'. */
  route: string | undefined;
  /** Lazily computed (only when a rule asks): payment service id (gr4vy) or account candidates (stripe). */
  paymentServiceId: () => string | undefined;
  stripeAccounts: () => readonly string[];
}

export interface FaultDecision {
  /** Total delay from matched latency rules (and the delay of a terminal rule). */
  delayMs: number;
  /** The terminal rule (status, timeout, reset) to apply after the delay, if any. */
  terminal: ActiveFaultRule | null;
  /** Ids of latency rules that were applied. */
  latencyRuleIds: string[];
}

export interface FaultController {
  /** Appends rules (validated); returns them as stored, with ids. */
  add(rules: FaultRule | FaultRule[]): ActiveFaultRule[];
  list(): ActiveFaultRule[];
  remove(id: string): boolean;
  clear(): void;
  readonly size: number;
}

/**
 * Holds the rules. Matching walks the rules in order: every matching latency
 * rule adds its delay; the first matching status/timeout/reset rule wins and
 * stops the walk. Each applied rule uses up one of its `remaining`.
 */
export class FaultRegistry implements FaultController {
  private rules: ActiveFaultRule[] = [];
  private nextId = 1;

  get size(): number {
    return this.rules.length;
  }

  add(rules: FaultRule | FaultRule[]): ActiveFaultRule[] {
    const parsed = parseFaultRules(rules);
    const stored = parsed.map((rule) => ({ ...rule, id: `fault_${this.nextId++}`, applied: 0 }));
    this.rules.push(...stored);
    return stored.map((r) => ({ ...r }));
  }

  list(): ActiveFaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** Finds the rules for a request and consumes them. Returns null when nothing matched. */
  match(target: FaultTarget): FaultDecision | null {
    if (this.rules.length === 0) return null;
    let decision: FaultDecision | null = null;
    let spent = false;
    for (const rule of this.rules) {
      if (!matches(rule, target)) continue;
      decision ??= { delayMs: 0, terminal: null, latencyRuleIds: [] };
      rule.applied++;
      if (rule.remaining !== undefined) {
        rule.remaining--;
        if (rule.remaining <= 0) spent = true;
      }
      decision.delayMs += rule.latencyMs ?? 0;
      if (rule.mode === 'latency') {
        decision.latencyRuleIds.push(rule.id);
        continue;
      }
      decision.terminal = { ...rule };
      break;
    }
    if (spent) this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
    return decision;
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.provider !== undefined && rule.provider !== target.provider) return false;
  if (rule.method !== undefined && rule.method !== target.method) return false;
  if (rule.path !== undefined && rule.path !== target.path && rule.path !== target.route) return false;
  if (rule.paymentServiceId !== undefined) {
    if (target.provider !== 'gr4vy' || target.paymentServiceId() !== rule.paymentServiceId) return false;
  }
  if (rule.stripeAccount !== undefined) {
    if (target.provider !== 'stripe' || !target.stripeAccounts().includes(rule.stripeAccount)) return false;
  }
  return true;
}
