import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILT_GATEWAY } from './support/production-env';
import {
  bannerDone,
  ctrlC,
  freeSandboxPorts,
  killLeftovers,
  startSandbox,
  type SandboxProcess,
  waitForOutput,
} from './support/sandbox-process';

const ROOT = join(__dirname, '..');

/**
 * A second start on a data directory a gateway runs on says where that one runs and stops before
 * anything is built or started: the running gateway keeps its dist/, its ports and its PostgreSQL.
 */
describe('sandbox: a second start while one runs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wtg-second-'));
  const children: SandboxProcess[] = [];
  afterAll(async () => {
    await killLeftovers(children, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('npm start and the built gateway both refuse with the URL and pid of the running one; the first keeps running', async () => {
    const ports = await freeSandboxPorts();
    const first = startSandbox(dataDir, ports);
    children.push(first);
    await waitForOutput(first, bannerDone, 60_000);
    const expected = `already running at http://localhost:${ports.port} (pid ${first.child.pid}); \`npm run sandbox:info\` shows its banner; stop it with Ctrl-C.`;
    const builtAt = statSync(BUILT_GATEWAY).mtimeMs;
    const env = {
      ...process.env,
      GATEWAY_DATA_DIR: dataDir,
      PORT: String(ports.port),
      EMBEDDED_POSTGRES_PORT: String(ports.pgPort),
      SANDBOX_SIM_PORT: String(ports.simPort),
    };

    const npmStart = spawnSync('npm', ['start'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(npmStart.status).not.toBe(0);
    expect(npmStart.stderr).toContain(expected);
    expect(npmStart.stdout).not.toContain('nest build'); // the check runs ahead of the build step
    expect(statSync(BUILT_GATEWAY).mtimeMs).toBe(builtAt);

    const direct = spawnSync(process.execPath, [BUILT_GATEWAY], { env, encoding: 'utf8', timeout: 30_000 });
    expect(direct.status).toBe(1);
    expect(direct.stderr).toContain(expected);
    for (const out of [npmStart.stdout + npmStart.stderr, direct.stdout + direct.stderr]) {
      expect(out).not.toMatch(/orphan|kill /i);
      expect(out).not.toMatch(/SANDBOX_SIM_PORT/);
    }

    expect((await fetch(`http://127.0.0.1:${ports.port}/health/ready`)).status).toBe(200);
    expect(await ctrlC(first)).toBe(0);
    expect(existsSync(join(dataDir, 'gateway.lock'))).toBe(false);
  });

  it('a lock left by a gateway that was killed does not stop a start; with JSON logs the banner is one JSON line', async () => {
    // A pid no process has (the lock of a SIGKILLed gateway).
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dataDir, 'gateway.lock'), JSON.stringify({ pid: Number(gone.stdout), url: 'http://localhost:1' }));
    const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'check-not-running.js')], {
      env: { ...process.env, GATEWAY_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(check.status).toBe(0);
    // stdout is a pipe and LOG_FORMAT unset: logs are JSON, and so is the banner.
    const againPorts = await freeSandboxPorts();
    const again = startSandbox(dataDir, againPorts, { LOG_FORMAT: undefined, LOG_LEVEL: 'info' });
    children.push(again);
    const isBanner = (o: Record<string, unknown>) => o.msg === 'sandbox ready' && typeof o.onboardingUrl === 'string';
    const parsed = () =>
      again
        .stdout()
        .split('\n')
        .slice(0, -1) // complete lines only
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const banner = await waitForOutput(again, () => parsed().find(isBanner), 60_000);
    expect(banner).toMatchObject({
      operatorApiKey: expect.stringMatching(/^op_/),
      consoleUrl: expect.stringMatching(/\/console$/),
      onboardingUrl: expect.stringMatching(/\/onboarding\//),
      demoTenantId: expect.any(String),
      printAgain: 'npm run sandbox:info',
    });
    expect(again.stdout()).not.toContain('SANDBOX MODE: WeChat is simulated');
    // npm run sandbox:info with LOG_FORMAT=json says the same as one JSON line.
    const info = spawnSync(process.execPath, [join(dirname(BUILT_GATEWAY), 'sandbox', 'sandbox-info.js')], {
      env: {
        PATH: process.env.PATH,
        GATEWAY_DATA_DIR: dataDir,
        PORT: String(againPorts.port),
        SANDBOX_SIM_PORT: String(againPorts.simPort),
        LOG_FORMAT: 'json',
      },
      encoding: 'utf8',
    });
    expect(info.status).toBe(0);
    expect(info.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(info.stdout)).toMatchObject({
      msg: 'sandbox ready',
      onboardingUrl: banner.onboardingUrl,
      operatorApiKey: banner.operatorApiKey,
    });
    expect(await ctrlC(again)).toBe(0);
    // Every stdout line, shutdown included, is JSON.
    expect(parsed().length).toBeGreaterThan(3);
  });
});
