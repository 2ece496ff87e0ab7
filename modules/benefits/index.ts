import { SourceModuleDefinition } from '../../src/sources/source-transport';
import { createBenefitsAdapter } from './benefits.adapter';

export { benefitsSandbox } from './sandbox/benefits-sandbox';

export const benefitsSource: SourceModuleDefinition = { id: 'benefits', createAdapter: createBenefitsAdapter };
