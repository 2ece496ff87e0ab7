import { describeSource } from '../../sources/source-declaration';
import { sourceModules } from '../../sources/source-registry';
import { SourceTransport } from '../../sources/source-transport';
import { CATEGORY_FIELDS, SERVICE_CATEGORIES } from './service-records.model';

describe('service record types', () => {
  const unused: SourceTransport = {
    getJson: () => Promise.reject(new Error('not called')),
    postJson: () => Promise.reject(new Error('not called')),
  };

  it.each(sourceModules.map((m) => m.declaration.id))(
    'name exactly the categories and fields %s describes, so agreement refs match',
    (source) => {
      const module = sourceModules.find((m) => m.declaration.id === source)!;
      const adapter = module.createAdapter({ transport: unused, pageSize: 10 });
      expect(adapter.describe()).toEqual(describeSource(module.declaration));
      const described = Object.fromEntries(adapter.describe().categories.map((c) => [c.name, c.fields]));
      expect(SERVICE_CATEGORIES[source]).toEqual(described);
      expect(Object.values(CATEGORY_FIELDS[source]).sort()).toEqual(Object.keys(described).sort());
    },
  );
});
