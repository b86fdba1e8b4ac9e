export { createParksService, type ParksService, type FiguresPort } from './parks.service.ts';
export { registerParksRoutes } from './parks.routes.ts';
export { checkEligibility, LEVEL_RANK, FIGURES, type EligibilityRule, type Figures } from './rules/eligibility.rules.ts';
export { migrationsDir as parksMigrations } from './parks.migrations.ts';
export { seedParksDemo } from './parks.demo.ts';
