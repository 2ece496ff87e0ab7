import { SandboxDefinition } from '../../src/sandbox/sandbox-kit';
import { SourceModule } from '../../src/sources/source-declaration';
import { createHousingAdapter } from './housing.adapter';
import { housingDeclaration } from './declaration';
import { housingSandbox } from './sandbox/housing-sandbox';

export { housingSandbox };

export const housingSource: SourceModule<SandboxDefinition> = {
  declaration: housingDeclaration,
  createAdapter: createHousingAdapter,
  sandbox: housingSandbox,
};
