import { DomainError } from '@app/common';
import { parseIdempotencyKey } from './idempotency-key';

function codeOf(header: string | string[] | undefined): string | undefined {
  try {
    parseIdempotencyKey(header);
    return undefined;
  } catch (error) {
    return (error as DomainError).code;
  }
}

describe('parseIdempotencyKey', () => {
  it('accepts a bare key of printable ASCII', () => {
    expect(parseIdempotencyKey('order-123_ABC:x')).toBe('order-123_ABC:x');
  });

  it('treats the structured-field quoted form as the same key', () => {
    expect(parseIdempotencyKey('"abc"')).toBe('abc');
    expect(parseIdempotencyKey('"a\\"b\\\\c"')).toBe('a"b\\c');
  });

  it('reports a missing or blank header as missing', () => {
    expect(codeOf(undefined)).toBe('IDEMPOTENCY_KEY_MISSING');
    expect(codeOf('   ')).toBe('IDEMPOTENCY_KEY_MISSING');
  });

  it('accepts 255 characters and refuses 256', () => {
    expect(parseIdempotencyKey('k'.repeat(255))).toHaveLength(255);
    expect(codeOf('k'.repeat(256))).toBe('IDEMPOTENCY_KEY_INVALID');
  });

  it('refuses non-ASCII, control characters, bad escapes, an empty quoted key and repeated headers', () => {
    expect(codeOf('clé')).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf('a\u0001b')).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf('"a\\nb"')).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf('""')).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf(['a', 'b'])).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});
