import { OperationDefinitionNode, parse } from 'graphql';
import { selectsServiceField } from './service-sdl-access';

const operation = (source: string, name?: string) => {
  const document = parse(source);
  const found = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === 'OperationDefinition' && (name === undefined || d.name?.value === name),
  )!;
  return selectsServiceField(found, document);
};

describe('selectsServiceField', () => {
  it.each([
    '{ _service { sdl } }',
    '{ hubInfo { version } sdl: _service { sdl } }',
    'query { ...A } fragment A on Query { ...B } fragment B on Query { ... on Query { _service { sdl } } }',
  ])('finds _service in %s', (source) => {
    expect(operation(source)).toBe(true);
  });

  it('looks only at the operation that runs, and not at fields of that name below the root', () => {
    const document = 'query Version { hubInfo { version } } query Sdl { _service { sdl } }';
    expect(operation(document, 'Version')).toBe(false);
    expect(operation(document, 'Sdl')).toBe(true);
    expect(operation('{ hubInfo { _service: version } }')).toBe(false);
    expect(
      operation(
        'query { ...A } fragment A on Query { hubInfo { version } } fragment Unused on Query { _service { sdl } }',
      ),
    ).toBe(false);
  });
});
