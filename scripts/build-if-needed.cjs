#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, so `npm start`, `npm test` and
// `npm run cli` work straight after `npm ci` and after every edit.
const { statSync, readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const marker = join(root, 'dist', 'src', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = ['src', 'modules', 'migrations', 'bench'].map((d) => newestMtime(join(root, d)));
const configs = ['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(root, f)).mtimeMs);
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
if (built < Math.max(...sources, ...configs)) {
  process.stderr.write('Building the hub (dist/ is missing or out of date)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
