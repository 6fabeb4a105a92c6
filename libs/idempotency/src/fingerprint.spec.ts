import { canonicalJson, requestFingerprint } from './fingerprint';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('serialises numbers and strings as ECMAScript does', () => {
    expect(canonicalJson({ n: 1e21, m: 0.1, s: 'é\n' })).toBe('{"m":0.1,"n":1e+21,"s":"é\\n"}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });
});

describe('requestFingerprint', () => {
  it('is the same for the same body with keys in another order', () => {
    expect(requestFingerprint('POST', '/r', { a: 1, b: { c: 2, d: 3 } })).toBe(
      requestFingerprint('post', '/r', { b: { d: 3, c: 2 }, a: 1 }),
    );
  });

  it('differs by body, method and route', () => {
    const base = requestFingerprint('POST', '/r', { a: 1 });
    expect(requestFingerprint('POST', '/r', { a: 2 })).not.toBe(base);
    expect(requestFingerprint('PUT', '/r', { a: 1 })).not.toBe(base);
    expect(requestFingerprint('POST', '/s', { a: 1 })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
