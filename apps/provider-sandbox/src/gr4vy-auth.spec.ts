import { exportPKCS8, exportSPKI, generateKeyPair, generateSecret, SignJWT, type KeyLike } from 'jose';
import { importGr4vyKey, scopeGranted } from './gr4vy/auth';
import { startSandbox, SandboxConfigError, type RunningSandbox } from './sandbox';
import {
  CARD_APPROVE,
  gr4vyHeaders,
  postJson,
  readJson,
  signGr4vyToken,
  storeCard,
  transactionBody,
  validSessionBody,
} from './test/helpers';

describe('scopeGranted', () => {
  it('accepts an exact scope or the *.read / *.write wildcard', () => {
    expect(scopeGranted(['checkout-sessions.write'], ['checkout-sessions.write'])).toBe(true);
    expect(scopeGranted(['*.write'], ['checkout-sessions.write'])).toBe(true);
    expect(scopeGranted(['*.read'], ['checkout-sessions.write'])).toBe(false);
    expect(scopeGranted(['checkout-sessions.read'], ['checkout-sessions.write'])).toBe(false);
    expect(scopeGranted(['embed'], ['transactions.write', 'embed'])).toBe(true);
    expect(scopeGranted(['*.write'], ['embed'])).toBe(false);
    expect(scopeGranted([], [])).toBe(true);
  });
});

describe('importGr4vyKey', () => {
  it('accepts a P-521 public key and derives one from a private key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES512', { extractable: true });
    expect(importGr4vyKey(await exportSPKI(publicKey)).asymmetricKeyDetails?.namedCurve).toBe('secp521r1');
    expect(importGr4vyKey(await exportPKCS8(privateKey)).type).toBe('public');
  });

  it('rejects other curves and garbage', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const p256 = await exportSPKI(publicKey);
    expect(() => importGr4vyKey(p256)).toThrow(/P-521/);
    expect(() => importGr4vyKey('not a pem')).toThrow(/PEM/);
  });

  it('makes startSandbox fail with a SandboxConfigError', async () => {
    await expect(startSandbox({ gr4vyPublicKeyPem: 'nope', logLevel: 'silent' })).rejects.toBeInstanceOf(
      SandboxConfigError,
    );
  });
});

describe('Gr4vy JWT verification (public key configured)', () => {
  let sandbox: RunningSandbox;
  let privateKey: KeyLike;
  let otherPrivateKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES512', { extractable: true });
    privateKey = pair.privateKey;
    otherPrivateKey = (await generateKeyPair('ES512')).privateKey;
    sandbox = await startSandbox({
      port: 0,
      logLevel: 'silent',
      gr4vyPublicKeyPem: await exportSPKI(pair.publicKey),
    });
  });
  afterAll(() => sandbox.close());

  const create = (token: string) =>
    postJson(`${sandbox.url}/checkout/sessions`, validSessionBody(), gr4vyHeaders(token));

  it('accepts a valid ES512 token with the right scope (201)', async () => {
    const res = await create(await signGr4vyToken(privateKey, ['checkout-sessions.write']));
    expect(res.status).toBe(201);
  });

  it('accepts the *.write wildcard, and reuses a verified token', async () => {
    const token = await signGr4vyToken(privateKey, ['*.read', '*.write']);
    expect((await create(token)).status).toBe(201);
    expect((await create(token)).status).toBe(201);
  });

  it('answers 403 Error403 when the scope is missing', async () => {
    const res = await create(await signGr4vyToken(privateKey, ['checkout-sessions.read']));
    expect(res.status).toBe(403);
    expect(await readJson(res)).toMatchObject({ type: 'error', code: 'forbidden', status: 403, details: [] });
  });

  it('answers 403 when the token has no scopes claim', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES512' })
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await create(token)).status).toBe(403);
  });

  it('rejects an HS256 token (401)', async () => {
    const secret = await generateSecret('HS256');
    const token = await signGr4vyToken(secret, ['*.write'], { alg: 'HS256' });
    const res = await create(token);
    expect(res.status).toBe(401);
    expect(await readJson(res)).toMatchObject({ type: 'error', code: 'unauthorized', status: 401 });
  });

  it('rejects an expired token (401)', async () => {
    const token = await signGr4vyToken(privateKey, ['*.write'], {
      expiresIn: Math.floor(Date.now() / 1000) - 60,
    });
    expect((await create(token)).status).toBe(401);
  });

  it('rejects a token that is not valid yet (401)', async () => {
    const token = await signGr4vyToken(privateKey, ['*.write'], { notBefore: '10m', expiresIn: '20m' });
    expect((await create(token)).status).toBe(401);
  });

  it('rejects a token signed by another key, a token without exp, and garbage (401)', async () => {
    expect((await create(await signGr4vyToken(otherPrivateKey, ['*.write']))).status).toBe(401);
    const noExp = await new SignJWT({ scopes: ['*.write'] })
      .setProtectedHeader({ alg: 'ES512' })
      .sign(privateKey);
    expect((await create(noExp)).status).toBe(401);
    expect((await create('not.a.jwt')).status).toBe(401);
  });

  it('needs checkout-sessions.read to read a session, and transactions.write or embed to pay', async () => {
    const writer = await signGr4vyToken(privateKey, ['checkout-sessions.write']);
    const session = await readJson(await create(writer));
    const url = `${sandbox.url}/checkout/sessions/${String(session.id)}`;
    expect((await fetch(url, { headers: gr4vyHeaders(writer) })).status).toBe(403);
    const reader = await signGr4vyToken(privateKey, ['checkout-sessions.read']);
    expect((await fetch(url, { headers: gr4vyHeaders(reader) })).status).toBe(200);

    expect((await storeCard(sandbox.url, String(session.id), CARD_APPROVE)).status).toBe(204);
    const tx = transactionBody(String(session.id));
    expect((await postJson(`${sandbox.url}/transactions`, tx, gr4vyHeaders(reader))).status).toBe(403);
    const embed = await signGr4vyToken(privateKey, ['embed']);
    expect((await postJson(`${sandbox.url}/transactions`, tx, gr4vyHeaders(embed))).status).toBe(201);
  });
});
