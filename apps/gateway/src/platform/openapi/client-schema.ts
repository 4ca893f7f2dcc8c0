import type { OpenAPIObject } from '@nestjs/swagger';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/** Where the typed client's types live (committed; `npm run client:generate` rewrites them). */
export const CLIENT_SCHEMA_FILE = 'libs/client/src/schema.ts';

/**
 * The TypeScript types of the OpenAPI document, as `npm run client:generate` writes them and the
 * drift test compares them: openapi-typescript's output, unchanged apart from its header.
 */
export async function renderClientSchema(doc: OpenAPIObject): Promise<string> {
  const ast = await openapiTS(JSON.parse(JSON.stringify(doc)) as Parameters<typeof openapiTS>[0]);
  return `${COMMENT_HEADER}// Generated from the gateway's OpenAPI document by \`npm run client:generate\`; do not edit.\n\n${astToString(ast)}`;
}
