import { sourceModules } from '../sources/source-registry';
import { SandboxDefinition } from './sandbox-kit';

function asSandbox(id: string, sandbox: unknown): SandboxDefinition {
  const candidate = sandbox as Partial<SandboxDefinition> | null;
  if (
    typeof candidate?.id !== 'string' ||
    typeof candidate.start !== 'function' ||
    typeof candidate.fromBorough !== 'function'
  )
    throw new Error(`source module ${id}: its sandbox is not a SandboxDefinition (src/sandbox/sandbox-kit.ts)`);
  return candidate as SandboxDefinition;
}

/**
 * The sandbox source systems the source modules declare, for development, tests and the benchmark: loaded
 * only in sandbox mode (SandboxModule), by the `borough` command, and by tests and benchmarks.
 */
export const sandboxDefinitions: readonly SandboxDefinition[] = sourceModules.flatMap((m) =>
  m.sandbox === undefined ? [] : [asSandbox(m.declaration.id, m.sandbox)],
);
