import { migrationsDir as dirOf } from '../../kernel/migrations.ts';

export const migrationsDir = dirOf(import.meta.url);
