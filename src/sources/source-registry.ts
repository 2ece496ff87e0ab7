import { benefitsSource } from '../../modules/benefits';
import { housingSource } from '../../modules/housing';
import { socialCareSource } from '../../modules/social-care';
import { HttpSourceTransport } from './http-transport';
import { SourceAdapter } from './source-adapter';
import { SourceModuleDefinition } from './source-transport';
import { SourceConnection } from './sources-config';

/** The one place in `src/` that names the concrete source modules. */
export const sourceModules: readonly SourceModuleDefinition[] = [housingSource, benefitsSource, socialCareSource];

export const knownAdapters = sourceModules.map((m) => m.id);

/** An adapter for one configured source, speaking HTTP through the configured transport. */
export function createAdapter(connection: SourceConnection): SourceAdapter {
  const definition = sourceModules.find((m) => m.id === connection.adapter);
  if (!definition) throw new Error(`no source module "${connection.adapter}" (known: ${knownAdapters.join(', ')})`);
  return definition.createAdapter({ transport: new HttpSourceTransport(connection), pageSize: connection.pageSize });
}
