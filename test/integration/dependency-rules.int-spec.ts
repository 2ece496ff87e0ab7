import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
/** The command `npm run lint` runs for the dependency rules, exactly as package.json has it. */
const command = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts['lint:dependencies'];

/** Runs the lint's dependency check on a tree of files (path -> content) laid out like the hub's. */
function lintTree(files: Record<string, string>): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'depcruise-'));
  try {
    for (const [path, content] of Object.entries({ 'tsconfig.json': '{}', 'modules/.keep': '', ...files })) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    writeFileSync(join(dir, '.dependency-cruiser.cjs'), readFileSync(join(root, '.dependency-cruiser.cjs')));
    symlinkSync(join(root, 'scripts'), join(dir, 'scripts'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    try {
      const output = execFileSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      return { status: 0, output };
    } catch (error) {
      const failed = error as { status: number; stdout: string; stderr: string };
      return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm run lint: dependency rules', () => {
  jest.setTimeout(120_000);

  it('passes a tree whose folders depend one way', () => {
    const result = lintTree({
      'src/engine/port.ts': 'export interface Port { x: number }\n',
      'src/access/service.ts': "import type { Port } from '../engine/port';\nexport const use = (p: Port) => p.x;\n",
      'src/audit/recorder.ts': "import type { Port } from '../engine/port';\nexport const record = (p: Port) => p;\n",
    });
    expect(result).toEqual({ status: 0, output: expect.stringContaining('no folder cycle in src/') });
  });

  it('fails on a cycle between folders of src/, even with no cycle between files', () => {
    const result = lintTree({
      'src/auth/guard.ts': "import { decorator } from '../access/policy/decorator';\nexport const guard = decorator;\n",
      'src/access/policy/decorator.ts': 'export const decorator = 1;\n',
      'src/access/recorder-user.ts': "import { record } from '../audit/recorder';\nexport const user = record;\n",
      'src/audit/recorder.ts':
        "import type { Principal } from '../auth/principal';\nexport const record = (p?: Principal) => p;\n",
      'src/auth/principal.ts': 'export interface Principal { subject: string }\n',
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-folder-cycle: src/access, src/audit, src/auth');
  });

  it('fails when a source module imports more of src/ than the port, or another module', () => {
    const result = lintTree({
      'src/sources/source-adapter.ts': 'export interface SourceAdapter { id: string }\n',
      'src/access/policy/decide.ts': 'export const decide = 1;\n',
      'modules/housing/index.ts':
        "import type { SourceAdapter } from '../../src/sources/source-adapter';\nimport { decide } from '../../src/access/policy/decide';\nimport { other } from '../benefits/index';\nexport const x = (a: SourceAdapter) => [a, decide, other];\n",
      'modules/benefits/index.ts': 'export const other = 1;\n',
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      'modules-use-the-port-only: modules/housing/index.ts -> src/access/policy/decide.ts',
    );
    expect(result.output).toContain('modules-are-separate: modules/housing/index.ts -> modules/benefits/index.ts');
    expect(result.output).not.toContain('source-adapter');
  });
});
