import { benefitsSandbox } from '../../modules/benefits';
import { housingSandbox } from '../../modules/housing';
import { socialCareSandbox } from '../../modules/social-care';
import { SandboxDefinition } from './sandbox-kit';

/**
 * The sandbox source systems of the source modules, for development, tests and the benchmark: loaded only
 * in sandbox mode (SandboxModule), by the `borough` command, and by tests and benchmarks.
 */
export const sandboxDefinitions: readonly SandboxDefinition[] = [housingSandbox, benefitsSandbox, socialCareSandbox];
