import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { openApiDocument } from './app.factory';
import type { GatewayConfig } from './platform/config/gateway-config';
import { CLIENT_SCHEMA_FILE, renderClientSchema } from './platform/openapi/client-schema';

/**
 * `npm run client:generate`: the OpenAPI document from the controllers alone (Nest's preview
 * mode instantiates no provider, so no database or WeChat is needed), rendered to TypeScript.
 */
async function main(): Promise<void> {
  // Values only satisfy the module's shape: in preview mode nothing connects anywhere.
  const config = {
    mode: 'sandbox',
    port: 0,
    publicBaseUrl: 'http://127.0.0.1',
    databaseUrl: 'postgres://preview@127.0.0.1:1/preview',
    migrationsRun: false,
    operatorApiKeys: [],
    secretsKey: Buffer.alloc(32),
    wechat: {
      componentAppId: 'wxpreview',
      componentAppSecret: '',
      componentToken: '',
      encodingAESKey: '',
      apiBaseUrl: '',
      mpBaseUrl: '',
      openBaseUrl: '',
    },
    logLevel: 'silent',
    blacklist: { concurrencyPerTenant: 1, callsPerSecondPerTenant: 1 },
  } satisfies GatewayConfig;
  const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const file = join(__dirname, '..', '..', '..', '..', CLIENT_SCHEMA_FILE);
  writeFileSync(file, await renderClientSchema(openApiDocument(app)));
  process.stdout.write(`wrote ${CLIENT_SCHEMA_FILE}\n`);
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`client:generate failed: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
