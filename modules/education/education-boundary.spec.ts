import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A source is one folder: outside `modules/education/`, the education source is named only where it must
 * be. Naming it means code naming it (a string `'education'` or `'education.…'`, an identifier such as
 * `educationSource`, the path `modules/education`), not prose (`special educational needs`).
 */
const root = join(__dirname, '..', '..');
const naming = /(['"`])education\1|['"`]education\.|\beducation[A-Z]\w*|modules\/education\b/;

/** Where it may be named, and why. Nothing else may name it. */
const allowed: Record<string, string> = {
  // The one line that registers the source (with its import).
  'src/sources/source-registry.ts': 'registration',
  // Eligibility rules that read its fields, and their tests.
  'src/single-view/eligibility/rules/free-school-meals-take-up.rule.ts': 'eligibility rule reading its fields',
  'src/single-view/eligibility/rules/eligibility-rules.spec.ts': 'tests of that eligibility rule',
  // The end-to-end test of the source itself.
  'test/e2e/education-source.e2e-spec.ts': 'tests of the education source',
};

const scanned = ['src', 'test', 'bench', 'migrations', 'scripts', 'modules', '.ci'];
const skipped = new Set(['node_modules', 'dist', '.data', 'coverage']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (skipped.has(name)) return [];
    if (statSync(path).isDirectory()) return files(path);
    return [relative(root, path).split('\\').join('/')];
  });
}

describe('the education source is one folder', () => {
  const outside = [
    ...scanned.filter((dir) => existsSync(join(root, dir))).flatMap((dir) => files(join(root, dir))),
    ...readdirSync(root).filter((name) => statSync(join(root, name)).isFile()),
  ].filter((path) => !path.startsWith('modules/education/') && !/\.(md|png|svg)$/.test(path));

  const namers = outside.filter((path) => naming.test(readFileSync(join(root, path), 'utf8')));

  it('is named outside modules/education/ only by its registration, eligibility rules reading its fields, and their tests (docs aside)', () => {
    expect(namers.sort()).toEqual(Object.keys(allowed).sort());
  });

  it('is registered by one entry (and its import) in the source registry', () => {
    const lines = readFileSync(join(root, 'src/sources/source-registry.ts'), 'utf8')
      .split('\n')
      .filter((line) => naming.test(line));
    expect(lines).toEqual([
      "import { educationSource } from '../../modules/education';",
      expect.stringMatching(/^\s*educationSource,?$/),
    ]);
  });
});
