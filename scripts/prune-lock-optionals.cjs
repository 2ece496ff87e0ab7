#!/usr/bin/env node
// The registry reachable from this project's machines serves only the Linux builds of packages that ship
// per-platform binaries (swc, oxlint, ...). npm then writes a lock whose packages name optional
// dependencies it never resolved, and `npm ci` refuses such a lock. This drops those dangling names so
// the lock describes exactly what can be installed. Run it after `npm install` changes the lock.
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
let pruned = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  for (const name of Object.keys(entry.optionalDependencies)) {
    const nested = `${location}/node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (!lock.packages[nested] && !lock.packages[hoisted]) {
      delete entry.optionalDependencies[name];
      pruned++;
    }
  }
}
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`pruned ${pruned} unresolvable optional dependencies from package-lock.json`);
