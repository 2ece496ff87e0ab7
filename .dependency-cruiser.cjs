/**
 * Dependency rules checked by `npm run lint` (`npm run lint:dependencies`; docs/architecture.md).
 *
 * - no-folder-cycle: each first-level folder of src/ is one unit, and no unit may reach itself again
 *   through imports of other units (type-only imports count: they are design dependencies too).
 *   dependency-cruiser's `circular` sees cycles between files only, so this rule is checked by the
 *   reporter `scripts/depcruise-folder-cycles.cjs` on the cruise of this configuration; the rule below
 *   holds the file-level half (oxlint's import/no-cycle checks it too).
 * - modules-use-the-port-only / modules-are-separate: a source module in modules/ imports from src/ only
 *   the source port and the sandbox kit's shared types, and never another module.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'A first-level folder of src/ reaches itself again through other folders (an import cycle).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'modules-use-the-port-only',
      severity: 'error',
      comment:
        'A source module imports from src/ only the source port (with its declaration type and the declarative file-extract adapter) and the sandbox kit.',
      from: { path: '^modules/' },
      to: {
        path: '^src/',
        pathNot: [
          '^src/sources/(source-adapter|source-transport|identity-fields|source-declaration)\\.ts$',
          '^src/sources/file-extract/file-extract\\.adapter\\.ts$',
          '^src/sandbox/(sandbox-kit|sandbox-storage|borough-model|borough-mess|seeded-random)\\.ts$',
        ],
      },
    },
    {
      name: 'modules-are-separate',
      severity: 'error',
      comment: 'A source module never imports another source module.',
      from: { path: '^modules/([^/]+)/' },
      to: { path: '^modules/', pathNot: '^modules/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
