import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { decodeSecretKey } from '@app/common';
import { type ResealSettings, SecretsResealModule } from './secrets-reseal/secrets-reseal.module';
import { type ResealReport, SecretsReseal } from './secrets-reseal/secrets-reseal.service';

/** One reseal pass with these keys; resolves with what it did per table. */
export async function runSecretsReseal(settings: ResealSettings): Promise<ResealReport> {
  const app = await NestFactory.createApplicationContext(SecretsResealModule.forRoot(settings), { logger: ['error', 'warn'] });
  try {
    return await app.get(SecretsReseal).run();
  } finally {
    await app.close();
  }
}

/**
 * `npm run secrets:reseal`: DATABASE_URL, SECRETS_ENCRYPTION_KEY (the new key) and
 * SECRETS_PREVIOUS_ENCRYPTION_KEY (the old one) as the gateway reads them. Prints a JSON report;
 * exits 1 when some value could not be read with either key.
 */
async function main(): Promise<void> {
  const env = process.env;
  if (!env.DATABASE_URL || !env.SECRETS_ENCRYPTION_KEY) {
    process.stderr.write('secrets:reseal needs DATABASE_URL and SECRETS_ENCRYPTION_KEY (and SECRETS_PREVIOUS_ENCRYPTION_KEY)\n');
    process.exit(78);
  }
  const report = await runSecretsReseal({
    databaseUrl: env.DATABASE_URL,
    secretsKey: decodeSecretKey(env.SECRETS_ENCRYPTION_KEY, 'SECRETS_ENCRYPTION_KEY'),
    previousSecretsKey: env.SECRETS_PREVIOUS_ENCRYPTION_KEY
      ? decodeSecretKey(env.SECRETS_PREVIOUS_ENCRYPTION_KEY, 'SECRETS_PREVIOUS_ENCRYPTION_KEY')
      : undefined,
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(Object.values(report).some((r) => r.unreadable > 0) ? 1 : 0);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`secrets:reseal failed: ${e.message}\n`);
    process.exit(1);
  });
}
