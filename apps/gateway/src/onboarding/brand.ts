import { extname } from 'node:path';
import type { GatewayConfig } from '../platform/config/gateway-config';
import type { Brand } from './pages';

/** Where the gateway serves a logo file given as BRAND_LOGO_URL (a path under the data directory). */
export const BRAND_LOGO_PATH = '/onboarding-assets/brand-logo';

/** The brand as the merchant pages show it: a logo file is served by the gateway itself (same origin). */
export function pageBrand(config: Pick<GatewayConfig, 'brand'>): Brand | undefined {
  const b = config.brand;
  if (!b?.name && !b?.logoUrl && !b?.logoFile) return undefined;
  const logoUrl = b.logoUrl ?? (b.logoFile ? `${BRAND_LOGO_PATH}${extname(b.logoFile).toLowerCase()}` : undefined);
  return { name: b.name, logoUrl };
}
