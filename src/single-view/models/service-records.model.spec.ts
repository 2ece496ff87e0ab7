import { sourceModules } from '../../sources/source-registry';
import { SourceTransport } from '../../sources/source-transport';
import { SERVICE_CATEGORIES } from './service-records.model';

describe('service record types', () => {
  const unused: SourceTransport = {
    getJson: () => Promise.reject(new Error('not called')),
    postJson: () => Promise.reject(new Error('not called')),
  };

  it.each(Object.keys(SERVICE_CATEGORIES))(
    'name exactly the categories and fields %s describes, so agreement refs match',
    (source) => {
      const adapter = sourceModules.find((m) => m.id === source)!.createAdapter({ transport: unused, pageSize: 10 });
      const described = Object.fromEntries(adapter.describe().categories.map((c) => [c.name, c.fields]));
      expect(SERVICE_CATEGORIES[source as keyof typeof SERVICE_CATEGORIES]).toEqual(described);
    },
  );
});
