import { Gr4vyTokenCache, Gr4vyTokenSigner } from './gr4vy.token-cache';

interface CountingSigner {
  sign: jest.MockedFunction<Gr4vyTokenSigner>;
  /** Hold signing until release(), to observe concurrent callers. */
  hold: () => void;
  release: () => void;
}

/** A signer returning token-1, token-2, … */
function countingSigner(): CountingSigner {
  let n = 0;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const sign = jest.fn<ReturnType<Gr4vyTokenSigner>, Parameters<Gr4vyTokenSigner>>(async () => {
    await gate;
    n += 1;
    return `token-${n}`;
  });
  return {
    sign,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
  };
}

describe('Gr4vyTokenCache', () => {
  const start = Date.UTC(2030, 0, 1, 12, 0, 0);

  it('signs with the configured scopes, key and TTL', async () => {
    const { sign } = countingSigner();
    const cache = new Gr4vyTokenCache({
      privateKeyPem: 'PEM',
      scopes: ['checkout-sessions.write'],
      ttlSeconds: 300,
      sign,
      now: () => start,
    });
    await cache.get();
    expect(sign).toHaveBeenCalledWith({
      privateKey: 'PEM',
      scopes: ['checkout-sessions.write'],
      expiresIn: '300s',
    });
  });

  it('reuses one token until less than 60 s of a 300 s lifetime remains, then re-signs', async () => {
    let now = start;
    const { sign } = countingSigner();
    const cache = new Gr4vyTokenCache({
      privateKeyPem: 'PEM',
      scopes: ['s'],
      ttlSeconds: 300,
      sign,
      now: () => now,
    });
    expect(await cache.get()).toBe('token-1');
    now = start + 239_000; // 61 s left
    expect(await cache.get()).toBe('token-1');
    now = start + 241_000; // 59 s left
    expect(await cache.get()).toBe('token-2');
    expect(sign).toHaveBeenCalledTimes(2);
  });

  it('uses 20% of a short TTL as the refresh margin', async () => {
    let now = start;
    const { sign } = countingSigner();
    const cache = new Gr4vyTokenCache({
      privateKeyPem: 'PEM',
      scopes: ['s'],
      ttlSeconds: 60,
      sign,
      now: () => now,
    });
    expect(cache.refreshMarginMs).toBe(12_000);
    await cache.get();
    now = start + 47_000;
    expect(await cache.get()).toBe('token-1');
    now = start + 49_000;
    expect(await cache.get()).toBe('token-2');
  });

  it('shares one in-flight signing between concurrent callers', async () => {
    const signer = countingSigner();
    signer.hold();
    const cache = new Gr4vyTokenCache({
      privateKeyPem: 'PEM',
      scopes: ['s'],
      ttlSeconds: 300,
      sign: signer.sign,
    });
    const pending = Array.from({ length: 20 }, () => cache.get());
    signer.release();
    expect(new Set(await Promise.all(pending))).toEqual(new Set(['token-1']));
    expect(signer.sign).toHaveBeenCalledTimes(1);
  });

  it('does not cache a failed signing: the next caller signs again', async () => {
    const sign = jest
      .fn<ReturnType<Gr4vyTokenSigner>, Parameters<Gr4vyTokenSigner>>()
      .mockRejectedValueOnce(new Error('bad key'))
      .mockResolvedValueOnce('token-ok');
    const cache = new Gr4vyTokenCache({ privateKeyPem: 'PEM', scopes: ['s'], ttlSeconds: 300, sign });
    await expect(cache.get()).rejects.toThrow('bad key');
    await expect(cache.get()).resolves.toBe('token-ok');
  });

  it('re-signs after invalidate()', async () => {
    const { sign } = countingSigner();
    const cache = new Gr4vyTokenCache({ privateKeyPem: 'PEM', scopes: ['s'], ttlSeconds: 300, sign });
    await cache.get();
    cache.invalidate();
    expect(await cache.get()).toBe('token-2');
  });
});
