import 'reflect-metadata';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { EmbeddedPostgresStartError, startEmbeddedPostgres, type RunningPostgres } from '@app/database';
import { createGatewayApp } from './app.factory';
import { ConfigurationError, validateEnvironment } from './platform/config/environment';
import { messageEventUrlTemplate, resolveGatewayConfig, type SandboxSupplement } from './platform/config/gateway-config';
import { lastResortRejectionHandler } from './platform/logging/last-resort';
import { chooseLogFormat, prettyDestination } from './platform/logging/log-format';
import { loadOrCreateSandboxIdentity } from './platform/config/sandbox-identity';
import { startSandboxSimulator, type SandboxSimulator } from './sandbox/sandbox-simulator';
import { prepareSandboxOnboarding } from './sandbox/sandbox-onboarding';
import { sandboxBanner, sandboxBannerFields } from './sandbox/sandbox-banner';
import { demoFollowers } from './sandbox/sandbox-simulator';
import { lockDataDirOrExit } from './sandbox/instance-lock';
import { DRAIN_MS, ProcessShutdown } from './process-shutdown';
import type { Server } from 'node:http';

const EMBEDDED_PG_PORT_DEFAULT = 54329;
const SIM_PORT_DEFAULT = 4100;

/**
 * Start-up order: validate the environment, then (sandbox only) the simulator and the
 * generated keys, then the database (embedded unless DATABASE_URL), then the HTTP app.
 * Shutdown runs the other way so PostgreSQL is never left behind (process-shutdown.ts).
 */
async function main(): Promise<void> {
  // Read before validation so even a configuration error is logged in the chosen format.
  const logFormat = chooseLogFormat(process.env.LOG_FORMAT?.trim(), Boolean(process.stdout.isTTY));
  const logDestination = logFormat === 'pretty' ? prettyDestination() : undefined;
  // Synchronous: these few start-up and shutdown lines must land in order with the sandbox banner
  // (written straight to stdout) and before an exit; pino's default destination writes later.
  const log = pino(
    { level: process.env.LOG_LEVEL ?? 'info', base: { service: 'gateway' } },
    logDestination ?? pino.destination({ dest: 1, sync: true }),
  );
  // Node's default for an unhandled rejection is to exit: one request's bug must not stop the others.
  process.on('unhandledRejection', lastResortRejectionHandler(log));
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (e) {
    if (e instanceof ConfigurationError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const port = env.PORT ?? 3000;
  const DATA_DIR = resolve(env.GATEWAY_DATA_DIR ?? join(process.cwd(), '.data'));
  // The data directory is in use (sandbox identity, embedded PostgreSQL): one gateway at a time.
  if (!env.WECHAT_COMPONENT_APPID || !env.DATABASE_URL)
    lockDataDirOrExit(DATA_DIR, (env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''));
  let pg: RunningPostgres | undefined;
  // Steps run in reverse order of registration, each bounded; a second signal exits at once but
  // still tells the embedded PostgreSQL (in its own process group) to stop.
  const shutdown = new ProcessShutdown(log, () => pg?.signalStop());
  shutdown.install();

  try {
    let sandbox: SandboxSupplement | undefined;
    let simulator: SandboxSimulator | undefined;
    if (!env.WECHAT_COMPONENT_APPID) {
      const { identity, created } = loadOrCreateSandboxIdentity(DATA_DIR);
      simulator = await startSandboxSimulator(identity, {
        port: env.SANDBOX_SIM_PORT ?? SIM_PORT_DEFAULT,
        eventUrl: `http://127.0.0.1:${port}/wechat/component/events`,
        messageUrl: `http://127.0.0.1:${port}/wechat/authorizers/$APPID$/events`,
        dataDir: DATA_DIR,
      });
      shutdown.add({ name: 'simulator', run: () => simulator!.close(), timeoutMs: () => 5000 });
      sandbox = {
        operatorApiKey: identity.operatorApiKey,
        secretsKey: identity.secretsKey,
        wechat: {
          componentAppId: identity.component.appId,
          componentAppSecret: identity.component.appSecret,
          componentToken: identity.component.token,
          encodingAESKey: identity.component.encodingAESKey,
          apiBaseUrl: simulator.url,
          mpBaseUrl: simulator.publicUrl,
          openBaseUrl: simulator.publicUrl,
        },
      };
      log.warn(
        { mode: 'sandbox', dataDir: DATA_DIR, simulator: simulator.url, firstStart: created },
        '*** SANDBOX MODE *** running against the bundled WeChat simulator; nothing here talks to real WeChat',
      );
    }

    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const pgPort = env.EMBEDDED_POSTGRES_PORT ?? EMBEDDED_PG_PORT_DEFAULT;
      const started = Date.now();
      pg = await startEmbeddedPostgres({
        dataDir: join(DATA_DIR, 'pg'),
        port: pgPort,
        database: 'gateway',
        onWarning: (message) => log.warn({ dataDir: join(DATA_DIR, 'pg') }, message),
      });
      shutdown.add({ name: 'embedded PostgreSQL', run: () => pg!.stop(), timeoutMs: () => 15_000 });
      databaseUrl = pg.url;
      log.info({ port: pgPort, dataDir: join(DATA_DIR, 'pg'), ms: Date.now() - started }, 'embedded PostgreSQL started');
    }

    const config = resolveGatewayConfig(env, { databaseUrl, sandbox });
    const app = await createGatewayApp(config, { logDestination });
    // In-flight requests and jobs get DRAIN_MS (little if the database has gone: nothing to drain),
    // then the connections still open are cut so the close can end.
    shutdown.add({
      name: 'HTTP and job queue',
      run: () => app.close(),
      timeoutMs: () => (pg && !pg.isRunning() ? 2000 : DRAIN_MS),
      onTimeout: () => (app.getHttpServer() as Server).closeAllConnections(),
    });
    await app.listen(port, '0.0.0.0');
    // The two URLs to enter in the Open Platform console.
    log.info(
      {
        port,
        mode: config.mode,
        authorizationEventUrl: `${config.publicBaseUrl}/wechat/component/events`,
        messageEventUrlTemplate: messageEventUrlTemplate(config),
      },
      'gateway listening',
    );
    if (config.mode === 'sandbox' && simulator) {
      await simulator.afterGatewayStarted(config, app);
      // A link a person can open at once: onboarding of a "Sandbox demo" tenant through the simulator's page.
      const demo = await prepareSandboxOnboarding(app, DATA_DIR);
      const banner = {
        dataDir: DATA_DIR,
        operatorApiKey: config.operatorApiKeys[0],
        publicBaseUrl: config.publicBaseUrl,
        simulatorUrl: simulator.url,
        messageUrlTemplate: messageEventUrlTemplate(config),
        demo: { ...demo, followers: demoFollowers(simulator, demo) },
      };
      if (logFormat === 'json') {
        // Logs are JSON (LOG_FORMAT=json or stdout is not a terminal): the banner is one log line, so every line parses.
        log.warn(sandboxBannerFields(banner), 'sandbox ready');
      } else {
        log.warn({ mode: 'sandbox', tenantId: demo.tenantId, onboardingUrl: demo.onboardingUrl }, 'sandbox ready');
        // Printed last, after every other start-up line, so the operator key and the link are not buried.
        // The operator key is printed on purpose: sandbox only, so a person can try the API at once.
        process.stdout.write(sandboxBanner(banner));
      }
    }
  } catch (e) {
    // A signal during start-up closes what was started, which can make the start-up step in
    // progress fail: that is the shutdown the signal asked for (its handler exits 0), not a failure.
    if (shutdown.isStopping) return;
    const err = e as NodeJS.ErrnoException & { port?: number };
    const message =
      e instanceof EmbeddedPostgresStartError
        ? e.message
        : err.code === 'EADDRINUSE'
          ? `start-up failed: port ${err.port} is already in use; set ${err.port === port ? 'PORT' : 'SANDBOX_SIM_PORT'} to a free port`
          : `start-up failed: ${err.message}`;
    log.fatal({ err: message }, message);
    await shutdown.runSteps();
    process.exit(1);
  }
}

void main();
