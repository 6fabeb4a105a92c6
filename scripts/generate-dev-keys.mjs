// Writes a Gr4vy-style ES512 (P-521) key pair for local and compose runs, once.
// Usage: node scripts/generate-dev-keys.mjs <dir>
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '.data/local';
mkdirSync(dir, { recursive: true });
const privatePath = path.join(dir, 'gr4vy-private.pem');
const publicPath = path.join(dir, 'gr4vy-public.pem');
if (!existsSync(privatePath) || !existsSync(publicPath)) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o644 });
  writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  console.log(`generated ${privatePath} and ${publicPath}`);
} else {
  console.log(`keeping existing keys in ${dir}`);
}
