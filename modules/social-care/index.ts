import { SandboxDefinition } from '../../src/sandbox/sandbox-kit';
import { SourceModule } from '../../src/sources/source-declaration';
import { createSocialCareAdapter } from './social-care.adapter';
import { socialCareDeclaration } from './declaration';
import { socialCareSandbox } from './sandbox/social-care-sandbox';

export { socialCareSandbox };

export const socialCareSource: SourceModule<SandboxDefinition> = {
  declaration: socialCareDeclaration,
  createAdapter: createSocialCareAdapter,
  sandbox: socialCareSandbox,
};
