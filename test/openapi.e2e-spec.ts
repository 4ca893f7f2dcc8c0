import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createGatewayClient } from '@app/client';
import { CLIENT_SCHEMA_FILE, renderClientSchema } from '../apps/gateway/src/platform/openapi/client-schema';
import { type Harness, startHarness } from './support/gateway-harness';
import { onboardTenant } from './support/onboarding';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/*
 * The OpenAPI document is a contract a client generator can trust: Redocly's recommended rules
 * find nothing in it, the committed typed client (libs/client) is generated from exactly this
 * document, and that client drives the gateway.
 */
describe('OpenAPI document and the typed client', () => {
  let h: Harness;
  let doc: Record<string, any>;

  beforeAll(async () => {
    h = await startHarness();
    doc = (await request(h.url).get('/docs-json').expect(200)).body;
  });
  afterAll(() => h?.close());

  it('passes `redocly lint` (recommended rules) with no error and no warning', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wtg-openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const cli = require.resolve('@redocly/cli/bin/cli.js');
    // The CLI exits non-zero on errors; its JSON report is what is asserted either way.
    const out = await run(process.execPath, [cli, 'lint', file, '--format=json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 32 * 1024 * 1024,
    }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const report = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('documents every error answer with the shared ErrorBody schema, and security on every operation', () => {
    expect(doc.components.schemas.ErrorBody).toBeDefined();
    const block = doc.paths['/v1/tenants/{tenantId}/blacklist/block'].post;
    for (const status of ['400', '401', '403', '404', '409', '429', '500', '503']) {
      expect(block.responses[status].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    }
    for (const item of Object.values(doc.paths) as Record<string, { security?: unknown }>[]) {
      for (const op of Object.values(item)) expect(op.security).toBeDefined();
    }
  });

  it('the committed client types are generated from this very document (npm run client:generate)', async () => {
    expect(await renderClientSchema(doc as never)).toBe(readFileSync(join(ROOT, CLIENT_SCHEMA_FILE), 'utf8'));
  });

  it('the typed client blocks openids and reads them back from the blacklist', async () => {
    const t = await onboardTenant(h, { permissionSets: [1, 2], followers: 3 });
    const gw = createGatewayClient(h.url, t.apiKey);
    const { data, error } = await gw.POST('/v1/tenants/{tenantId}/blacklist/block', {
      params: { path: { tenantId: t.id } },
      body: { openids: t.followers },
    });
    expect(error).toBeUndefined();
    expect(data?.succeeded).toEqual(t.followers);
    const page = await gw.GET('/v1/tenants/{tenantId}/blacklist', { params: { path: { tenantId: t.id } } });
    expect(page.data?.openids).toEqual(expect.arrayContaining(t.followers));
    const refused = await gw.GET('/v1/tenants/{tenantId}', {
      params: { path: { tenantId: '00000000-0000-0000-0000-000000000000' } },
    });
    expect(refused.response.status).toBe(404);
    expect(refused.error?.error.code).toBe('TENANT_NOT_FOUND');
  });
});
