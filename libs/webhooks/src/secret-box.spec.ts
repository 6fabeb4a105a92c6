import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and never seals the same way twice', () => {
    const sealed = box.seal('whsec_abc', 'endpoint-1');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.seal('whsec_abc', 'endpoint-1')).not.toBe(sealed);
    expect(box.open(sealed, 'endpoint-1')).toBe('whsec_abc');
  });

  it('refuses a ciphertext moved to another row, altered, or sealed under another key', () => {
    const sealed = box.seal('whsec_abc', 'endpoint-1');
    expect(() => box.open(sealed, 'endpoint-2')).toThrow();
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[14] ^= 1;
    expect(() => box.open(`v1.${bytes.toString('base64')}`, 'endpoint-1')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'endpoint-1')).toThrow();
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('32-byte key');
  });
});
