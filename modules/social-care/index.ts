import { SourceModuleDefinition } from '../../src/sources/source-transport';
import { createSocialCareAdapter } from './social-care.adapter';

export { socialCareSandbox } from './sandbox/social-care-sandbox';

export const socialCareSource: SourceModuleDefinition = { id: 'social-care', createAdapter: createSocialCareAdapter };
