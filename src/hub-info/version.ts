import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function findVersion(): string {
  // Compiled code sits one level deeper (dist/src/...) than the sources; try both.
  for (const up of ['../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // next candidate
    }
  }
  return 'unknown';
}

export const HUB_VERSION = findVersion();
