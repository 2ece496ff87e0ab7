import { extname, join } from 'node:path';
import { ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Starts the worker thread `name` of folder `dir` (a file beside the caller's), from its compiled file,
 * or from source when the caller runs from TypeScript (tests, scripts run through the swc register).
 */
export function startThread(dir: string, name: string, workerData: unknown, resourceLimits: ResourceLimits): Worker {
  const file = join(dir, `${name}${extname(__filename)}`);
  if (!file.endsWith('.ts')) return new Worker(file, { workerData, resourceLimits });
  const swc = require.resolve('@swc/core');
  const bootstrap = `
    const { readFileSync } = require('node:fs');
    const { transformSync } = require(${JSON.stringify(swc)});
    require.extensions['.ts'] = (module, filename) => {
      const { code } = transformSync(readFileSync(filename, 'utf8'), {
        filename,
        module: { type: 'commonjs' },
        jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true } },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}
