import { SourceModuleDefinition } from '../../src/sources/source-transport';
import { createHousingAdapter } from './housing.adapter';

export { housingSandbox } from './sandbox/housing-sandbox';

export const housingSource: SourceModuleDefinition = { id: 'housing', createAdapter: createHousingAdapter };
