/**
 * Dependency rules checked by `npm run lint` (docs/architecture.md, "Dependency rules").
 *
 * - no-folder-cycle: treating each first-level folder of src/ as one unit, no folder may reach itself
 *   again through imports of other folders (type-only imports count: they are design dependencies too).
 *   The cruise runs with `--collapse` (see package.json), so every module is a folder of src/.
 * - modules-use-the-port-only: a source module in modules/ imports from src/ only the source port and
 *   the sandbox kit's shared types, and never another module.
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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
