import { benefitsSource } from '../../modules/benefits';
import { educationSource } from '../../modules/education';
import { housingSource } from '../../modules/housing';
import { socialCareSource } from '../../modules/social-care';
import { HttpSourceTransport } from './http-transport';
import { SourceAdapter } from './source-adapter';
import { SourceDeclaration, SourceModule } from './source-declaration';
import { SourceConnection } from './sources-config';

/**
 * The one place in `src/` that names the concrete source modules. Adding a source is a folder in `modules/`
 * and a line here; everything else is derived from its declaration (docs/sources.md).
 */
export const sourceModules: readonly SourceModule[] = [
  housingSource,
  benefitsSource,
  socialCareSource,
  educationSource,
];

/** What each source declares: categories, fields and their GraphQL names, special category, trust. */
export const sourceDeclarations: readonly SourceDeclaration[] = sourceModules.map((m) => m.declaration);

export const knownAdapters = sourceModules.map((m) => m.declaration.id);

/** An adapter for one configured source, speaking HTTP through the configured transport. */
export function createAdapter(connection: SourceConnection): SourceAdapter {
  const definition = sourceModules.find((m) => m.declaration.id === connection.adapter);
  if (!definition) throw new Error(`no source module "${connection.adapter}" (known: ${knownAdapters.join(', ')})`);
  return definition.createAdapter({ transport: new HttpSourceTransport(connection), pageSize: connection.pageSize });
}
