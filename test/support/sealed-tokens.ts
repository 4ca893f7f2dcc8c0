import type { SecretCipher } from '@app/common';
import type { Harness } from './gateway-harness';
import { sql } from './onboarding';

/**
 * Every sealed token at rest (authorizers' and the component's), opened for the row and column
 * it is sealed for: the values the logs must never show.
 */
export async function tokensAtRest(h: Pick<Harness, 'databaseUrl'>, cipher: SecretCipher): Promise<string[]> {
  const open = (table: string, column: string, row: string, v: string | null) =>
    v === null ? [] : [cipher.decrypt(v, { table, column, row })];
  const authorizers = await sql<{ tenant_id: string; access_token: string | null; refresh_token: string | null }>(
    h as Harness,
    `SELECT tenant_id, access_token, refresh_token FROM authorizers WHERE access_token IS NOT NULL`,
  );
  const component = await sql<{ component_app_id: string; access_token: string | null; ticket: string | null }>(
    h as Harness,
    `SELECT component_app_id, access_token, ticket FROM component_state`,
  );
  return [
    ...authorizers.flatMap((r) => [
      ...open('authorizers', 'access_token', r.tenant_id, r.access_token),
      ...open('authorizers', 'refresh_token', r.tenant_id, r.refresh_token),
    ]),
    ...component.flatMap((r) => [
      ...open('component_state', 'access_token', r.component_app_id, r.access_token),
      ...open('component_state', 'ticket', r.component_app_id, r.ticket),
    ]),
  ];
}
