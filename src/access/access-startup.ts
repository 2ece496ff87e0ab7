import type { INestApplicationContext } from '@nestjs/common';
import { DevTokenIssuer } from '../auth/dev-token.service';
import { demoPersonas } from '../auth/demo-personas';
import { AppConfig } from '../config/config';
import { DatabaseRuntime } from '../database/database-runtime';
import { AccessSeedService } from './seed/access-seed.service';

/**
 * What `npm start` adds to its banner. In the embedded default (no DATABASE_URL, not production) the demo
 * organisations and agreements are loaded (idempotent); whenever the hub signs its own dev tokens, a
 * ready token is printed for each demo persona. Returns the banner lines.
 */
export async function accessStartup(
  app: INestApplicationContext,
  config: AppConfig,
  runtime: DatabaseRuntime,
): Promise<string[]> {
  const lines: string[] = [];
  if (runtime.mode === 'embedded' && config.nodeEnv !== 'production') {
    const seeded = await app.get(AccessSeedService).seedDemo();
    if (seeded.agreementsCreated.length > 0)
      lines.push(`  Demo agreements loaded: ${seeded.agreementsCreated.join(', ')}`);
  }
  const issuer = app.get(DevTokenIssuer);
  if (!issuer.enabled) return lines;
  lines.push('', 'Dev tokens (8 h; send as "Authorization: Bearer <token>" with an x-purpose header):');
  for (const persona of demoPersonas) {
    const token = await issuer.issue({ ...persona.token, ttlSeconds: 8 * 3600 });
    lines.push(
      `  ${persona.label} (${persona.token.organisation}${persona.token.team ? `, team ${persona.token.team}` : ''}):`,
      `    ${token}`,
    );
  }
  return lines;
}
