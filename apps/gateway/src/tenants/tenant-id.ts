const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tenant ids are UUIDs; anything else is simply "no such tenant" (never a database error). */
export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
