import { DomainError } from '@app/common';

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,255}$/;

/**
 * Reads the Idempotency-Key header. The structured-field string form (`"abc"`,
 * RFC 8941) names the same key as the bare token `abc`.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined || (typeof header === 'string' && header.trim() === '')) {
    throw new DomainError('IDEMPOTENCY_KEY_MISSING');
  }
  if (Array.isArray(header)) throw new DomainError('IDEMPOTENCY_KEY_INVALID');
  let key = header.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) {
    const unquoted = unquoteSfString(key);
    if (unquoted === null) throw new DomainError('IDEMPOTENCY_KEY_INVALID');
    key = unquoted;
  }
  if (!PRINTABLE_ASCII.test(key)) throw new DomainError('IDEMPOTENCY_KEY_INVALID');
  return key;
}

function unquoteSfString(value: string): string | null {
  let out = '';
  for (let i = 1; i < value.length - 1; i++) {
    const ch = value[i];
    if (ch === '\\') {
      const next = value[i + 1];
      if (next !== '"' && next !== '\\') return null;
      out += next;
      i++;
    } else if (ch === '"') {
      return null;
    } else {
      out += ch;
    }
  }
  return out;
}
