import { SandboxDefinition } from '../../src/sandbox/sandbox-kit';
import { SourceModule } from '../../src/sources/source-declaration';
import { createBenefitsAdapter } from './benefits.adapter';
import { benefitsDeclaration } from './declaration';
import { benefitsSandbox } from './sandbox/benefits-sandbox';

export { benefitsSandbox };

export const benefitsSource: SourceModule<SandboxDefinition> = {
  declaration: benefitsDeclaration,
  createAdapter: createBenefitsAdapter,
  sandbox: benefitsSandbox,
};
