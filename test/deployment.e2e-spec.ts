import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// No Docker engine runs here; dclint validates the compose file against the Compose schema offline.
describe('docker-compose.yml', () => {
  it('is a valid Compose file with PostgreSQL 17 and a scalable gateway built from the Dockerfile', () => {
    const root = join(__dirname, '..');
    const res = spawnSync(process.execPath, [join(root, 'node_modules', 'dclint', 'bin', 'dclint.cjs'), 'docker-compose.yml'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(res.status).toBe(0);
    expect(`${res.stdout}${res.stderr}`).not.toMatch(/[1-9]\d* errors?/);
    const text = require('node:fs').readFileSync(join(root, 'docker-compose.yml'), 'utf8') as string;
    expect(text).toMatch(/image: postgres:17/);
    expect(text).toMatch(/dockerfile: Dockerfile/);
    expect(text).not.toMatch(/^\s+ports:/m); // a fixed host port would stop --scale
  });
});
