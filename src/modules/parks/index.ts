export { createParkService, type ParkService } from './parks-park.service.ts';
export { createOfferingService, type OfferingService } from './parks-offering.service.ts';
export { createProgrammeService, type ProgrammeService, type FiguresPort } from './parks-programme.service.ts';
export { registerParksRoutes } from './parks.routes.ts';
export { checkEligibility, LEVEL_RANK, FIGURES, type EligibilityRule, type Figures } from './rules/eligibility.rules.ts';
export { migrationsDir as parksMigrations } from './parks.migrations.ts';
export { seedParksDemo } from './parks.demo.ts';
