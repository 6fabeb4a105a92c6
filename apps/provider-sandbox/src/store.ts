import type { RecordedRequest, RequestFilter } from './types';

/** A Map that forgets its oldest entries past `capacity` (benchmarks create a lot). */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    if (!this.map.has(key) && this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}

/** The last `capacity` recorded provider requests, oldest first. */
export class RequestLog {
  private readonly buffer: (RecordedRequest | undefined)[];
  private next = 0;
  private count = 0;
  private seq = 1;

  constructor(private readonly capacity = 10_000) {
    this.buffer = new Array<RecordedRequest | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  nextId(): number {
    return this.seq++;
  }

  push(entry: RecordedRequest): void {
    this.buffer[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    const out: RecordedRequest[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const entry = this.buffer[(start + i) % this.capacity];
      if (!entry) continue;
      if (filter.provider !== undefined && entry.provider !== filter.provider) continue;
      if (filter.path !== undefined && entry.path !== filter.path) continue;
      if (filter.method !== undefined && entry.method !== filter.method.toUpperCase()) continue;
      out.push(entry);
    }
    return out;
  }

  clear(): void {
    this.buffer.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}

/** A stored idempotent result. */
export interface IdempotentResult {
  /** Canonical form of what was asked (method, path, body). */
  fingerprint: string;
  status: number;
  body: unknown;
  storedAt: number;
}

/** Idempotency keys remain valid for 24 hours (Gr4vy and Stripe both say so). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export class IdempotencyStore {
  private readonly results = new BoundedMap<string, IdempotentResult>(200_000);

  get(scope: string, key: string, now = Date.now()): IdempotentResult | undefined {
    const id = `${scope}\u0000${key}`;
    const found = this.results.get(id);
    if (found && now - found.storedAt > IDEMPOTENCY_TTL_MS) {
      this.results.delete(id);
      return undefined;
    }
    return found;
  }

  save(scope: string, key: string, result: Omit<IdempotentResult, 'storedAt'>, now = Date.now()): void {
    this.results.set(`${scope}\u0000${key}`, { ...result, storedAt: now });
  }

  clear(): void {
    this.results.clear();
  }
}

/** JSON with object keys sorted, so two equal bodies compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
