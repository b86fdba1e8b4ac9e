import { loadConfig } from '../kernel/config.ts';
import { createPlatform } from './platform.ts';

/**
 * The OpenAPI document as committed in `openapi.json`. Built from the real route table; the
 * pool never connects (no query runs), so no database is needed.
 */
export async function renderOpenApi(): Promise<string> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'test' });
  const platform = await createPlatform({
    config,
    databaseUrl: 'postgres://openapi@127.0.0.1:1/none',
    migrate: false,
  });
  try {
    await platform.app.ready();
    return `${JSON.stringify(platform.app.swagger(), null, 2)}\n`;
  } finally {
    await platform.close();
  }
}
