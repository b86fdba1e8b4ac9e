import { createEnterpriseFilingService } from './enterprise-filing.service.ts';
import type { FilingServiceDeps } from './filing.shared.ts';
import { createProductFilingService } from './product-filing.service.ts';

export type FilingService = ReturnType<typeof createFilingService>;

/** The whole filing module's service: enterprise filings and product filings, one object for the routes. */
export function createFilingService(deps: FilingServiceDeps) {
  return { ...createEnterpriseFilingService(deps), ...createProductFilingService(deps) };
}
