import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SANDBOX_DEMO_EXTERNAL_ID } from './sandbox-constants';
import { sandboxBanner, sandboxBannerFields, type SandboxBannerInfo } from './sandbox-banner';
import { readSandboxLink, reusableSandboxLink, saveSandboxLink } from './sandbox-link';

/**
 * `npm run sandbox:info`: prints the sandbox banner again, from a running sandbox gateway over its
 * own API (operator key from .data/sandbox.json) and the simulator's control API, with a fresh
 * onboarding link and, once the demo account is authorized, three of its followers.
 */
export interface SandboxInfoOptions {
  dataDir: string;
  gatewayUrl: string;
  publicBaseUrl: string;
  simulatorUrl: string;
}

class SandboxInfoError extends Error {}

async function call<T>(url: string, init: RequestInit & { what: string }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new SandboxInfoError(`${init.what}: nothing answers at ${new URL(url).origin}; is the sandbox running (npm start)?`);
  }
  if (!res.ok) throw new SandboxInfoError(`${init.what}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function sandboxInfo(o: SandboxInfoOptions): Promise<string> {
  return sandboxBanner(await sandboxBannerInfo(o));
}

/** What the banner says, asked from the running gateway and simulator. */
export async function sandboxBannerInfo(o: SandboxInfoOptions): Promise<SandboxBannerInfo> {
  const file = join(o.dataDir, 'sandbox.json');
  if (!existsSync(file)) throw new SandboxInfoError(`no sandbox in ${o.dataDir} (${file} is missing); start one with npm start`);
  const { operatorApiKey } = JSON.parse(readFileSync(file, 'utf8')) as { operatorApiKey: string };
  const headers = { Authorization: `Bearer ${operatorApiKey}`, 'Content-Type': 'application/json' };
  const status = await call<{ messageEventUrlTemplate?: string }>(`${o.gatewayUrl}/v1/component/status`, {
    headers,
    what: 'component status',
  });
  type Tenant = { id: string; externalId: string | null; status: string; authorizer: { appId: string } | null };
  let demo: Tenant | undefined;
  for (let cursor: string | null = null, first = true; !demo && (first || cursor); first = false) {
    const page: { items: Tenant[]; nextCursor: string | null } = await call(
      `${o.gatewayUrl}/v1/tenants?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { headers, what: 'tenant list' },
    );
    demo = page.items.find((t) => t.externalId === SANDBOX_DEMO_EXTERNAL_ID);
    cursor = page.nextCursor;
  }
  if (!demo) throw new SandboxInfoError('the "Sandbox demo" tenant does not exist; restart the sandbox (npm start) to create it');
  const onboardingUrl = await demoLink(o, headers, demo.id);
  const appId = demo.authorizer?.appId;
  let followers: string[] = [];
  if (demo.status === 'active' && appId) {
    const account = await call<{ followers?: string[] }>(`${o.simulatorUrl}/__sim/authorizers/${encodeURIComponent(appId)}`, {
      what: 'demo account followers',
    }).catch(() => ({ followers: [] }));
    followers = (account.followers ?? []).slice(0, 3);
  }
  return {
    dataDir: o.dataDir,
    operatorApiKey,
    publicBaseUrl: o.publicBaseUrl,
    simulatorUrl: o.simulatorUrl,
    messageUrlTemplate: status.messageEventUrlTemplate ?? '',
    demo: { tenantId: demo.id, onboardingUrl, status: demo.status, appId, followers },
  };
}

/** The link the gateway's start saved while its session has an hour left, else a new session (as the start does). */
async function demoLink(o: SandboxInfoOptions, headers: Record<string, string>, tenantId: string): Promise<string> {
  const sessionsUrl = `${o.gatewayUrl}/v1/tenants/${tenantId}/authorization-sessions`;
  const open = await call<{ items: { id: string; expiresAt: string }[] }>(`${sessionsUrl}?status=open`, {
    headers,
    what: 'open onboarding sessions',
  });
  const reused = reusableSandboxLink(readSandboxLink(o.dataDir), tenantId, open.items);
  if (reused) return reused.onboardingUrl;
  const create = () =>
    fetch(sessionsUrl, { method: 'POST', headers, body: JSON.stringify({ authType: 1 }) }).catch(() => undefined);
  let res = await create();
  if (res?.status === 409 && open.items.length > 0) {
    // At the cap: the oldest open session makes room, as on a start.
    await call(`${sessionsUrl}/${open.items[open.items.length - 1].id}`, {
      method: 'DELETE',
      headers,
      what: 'closing a session',
    });
    res = await create();
  }
  if (!res?.ok)
    throw new SandboxInfoError(`onboarding link: ${res ? `${res.status} ${(await res.text()).slice(0, 200)}` : 'no answer'}`);
  const session = (await res.json()) as { id: string; onboardingUrl: string };
  saveSandboxLink(o.dataDir, { tenantId, sessionId: session.id, onboardingUrl: session.onboardingUrl });
  return session.onboardingUrl;
}

/** Same defaults as main.ts (PORT, SANDBOX_SIM_PORT, GATEWAY_DATA_DIR, PUBLIC_BASE_URL). */
export function sandboxInfoOptionsFromEnv(env: NodeJS.ProcessEnv, cwd: string): SandboxInfoOptions {
  const port = env.PORT?.trim() || '3000';
  return {
    dataDir: resolve(env.GATEWAY_DATA_DIR?.trim() || join(cwd, '.data')),
    gatewayUrl: `http://127.0.0.1:${port}`,
    publicBaseUrl: (env.PUBLIC_BASE_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, ''),
    simulatorUrl: `http://127.0.0.1:${env.SANDBOX_SIM_PORT?.trim() || '4100'}`,
  };
}

if (require.main === module) {
  // LOG_FORMAT=json: the banner as the gateway logs it then, one JSON line.
  const json = process.env.LOG_FORMAT?.trim() === 'json';
  sandboxBannerInfo(sandboxInfoOptionsFromEnv(process.env, process.cwd())).then(
    (info) =>
      process.stdout.write(
        json ? `${JSON.stringify({ msg: 'sandbox ready', ...sandboxBannerFields(info) })}\n` : sandboxBanner(info),
      ),
    (e: Error) => {
      process.stderr.write(`sandbox:info: ${e instanceof SandboxInfoError ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
