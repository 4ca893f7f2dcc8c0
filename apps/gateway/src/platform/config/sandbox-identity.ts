import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What sandbox mode generates once and keeps in .data/ so restarts keep their keys and data readable. */
export interface SandboxIdentity {
  secretsKey: string;
  operatorApiKey: string;
  component: { appId: string; appSecret: string; token: string; encodingAESKey: string };
}

export function loadOrCreateSandboxIdentity(dataDir: string): { identity: SandboxIdentity; created: boolean } {
  const file = join(dataDir, 'sandbox.json');
  if (existsSync(file)) return { identity: JSON.parse(readFileSync(file, 'utf8')) as SandboxIdentity, created: false };
  const identity: SandboxIdentity = {
    secretsKey: randomBytes(32).toString('base64'),
    operatorApiKey: `op_${randomBytes(24).toString('base64url')}`,
    component: {
      appId: `wxsandbox${randomBytes(4).toString('hex')}`,
      appSecret: randomBytes(16).toString('hex'),
      token: randomBytes(8).toString('hex'),
      // EncodingAESKey is 43 base64 characters (32 bytes once "=" is appended).
      encodingAESKey: randomBytes(32).toString('base64').slice(0, 43),
    },
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(identity, null, 2), { mode: 0o600 });
  return { identity, created: true };
}
