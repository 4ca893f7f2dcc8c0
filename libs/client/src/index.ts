import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

/**
 * A typed client for the gateway's HTTP API (openapi-fetch over the generated types): every route,
 * parameter, body and answer is checked by the compiler.
 *
 *   const gw = createGatewayClient('https://gateway.example.com', process.env.TENANT_KEY!);
 *   const { data, error } = await gw.POST('/v1/tenants/{tenantId}/blacklist/block', {
 *     params: { path: { tenantId } },
 *     body: { openids: ['o1', 'o2'] },
 *   });
 */
export function createGatewayClient(baseUrl: string, apiKey: string): Client<paths> {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
}
