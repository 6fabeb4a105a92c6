import { createHash } from 'node:crypto';

/**
 * Canonical JSON in the manner of RFC 8785: object keys sorted by UTF-16 code
 * units, no insignificant whitespace, ECMAScript number and string serialisation.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** SHA-256 over method, route and the canonical body: the identity of a request. */
export function requestFingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${route}\n${canonicalJson(body)}`)
    .digest('hex');
}
