import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from './support/gateway-harness';

const ROOT = join(__dirname, '..');
const NODE_MODULES = join(ROOT, 'node_modules');

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const res = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

// A provider's own program: the three lines README shows, plus a route the compiler must refuse.
const SAMPLE = `import { createGatewayClient } from '@wechat-tenant-gateway/client';

async function main(): Promise<void> {
  const gw = createGatewayClient(process.env.GATEWAY_URL!, process.env.GATEWAY_KEY!);
  const created = await gw.POST('/v1/tenants', { body: { name: 'Packaged client' } });
  if (!created.data) throw new Error(JSON.stringify(created.error));
  const read = await gw.GET('/v1/tenants/{tenantId}', { params: { path: { tenantId: created.data.id } } });
  const missing = await gw.GET('/v1/tenants/{tenantId}', {
    params: { path: { tenantId: '00000000-0000-4000-8000-000000000000' } },
  });
  console.log(JSON.stringify({ id: created.data.id, name: read.data?.name, missing: missing.error?.error.code }));
}

export function neverCalled(gw: ReturnType<typeof createGatewayClient>) {
  // @ts-expect-error the client knows every route: a path the gateway does not have does not compile
  return gw.GET('/v1/no-such-route');
}

void main();
`;

/**
 * The typed client outside this repository: libs/client packs into a tarball (npm pack), which a
 * provider's own TypeScript project installs, compiles against and runs with, against a gateway.
 */
describe('the typed client as an npm package', () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'wtg-client-package-'));
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('npm pack gives a tarball that installs, compiles and calls the gateway from another project', async () => {
    run('npm', ['pack', '--pack-destination', dir], join(ROOT, 'libs', 'client'));
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^wechat-tenant-gateway-client-\d+\.\d+\.\d+\.tgz$/);

    const project = join(dir, 'provider-app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'provider-app', version: '1.0.0', private: true }));
    // Offline: the client's dependency comes from this checkout's node_modules (linked), not the registry.
    run(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        join(dir, tarball!),
        join(NODE_MODULES, 'openapi-fetch'),
        join(NODE_MODULES, 'openapi-typescript-helpers'),
      ],
      project,
    );
    writeFileSync(join(project, 'sample.ts'), SAMPLE);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'nodenext', strict: true, outDir: 'out', types: [] },
        files: ['sample.ts', 'env.d.ts'],
      }),
    );
    // A global `process` without @types/node in the provider's project.
    writeFileSync(join(project, 'env.d.ts'), 'declare const process: { env: Record<string, string | undefined> };\n');
    run(process.execPath, [join(NODE_MODULES, 'typescript', 'bin', 'tsc'), '-p', '.'], project);

    // Asynchronously: the gateway answering it runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, [join(project, 'out', 'sample.js')], {
      cwd: project,
      env: { PATH: process.env.PATH, GATEWAY_URL: h.url, GATEWAY_KEY: h.operatorKey },
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ id: expect.any(String), name: 'Packaged client', missing: 'TENANT_NOT_FOUND' });
  });
});
