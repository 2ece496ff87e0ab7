/**
 * A dependency-cruiser reporter (`--output-type plugin:./scripts/depcruise-folder-cycles.cjs`) that fails on
 * the rules of `.dependency-cruiser.cjs` and on the one rule dependency-cruiser cannot state itself: no
 * import cycle between folders of src/. Each first-level folder of src/ (src/access, src/engine, ...) is one
 * unit, and so is each file directly under src/; a folder may import another only if the other does not
 * reach it back through any chain of folders. (dependency-cruiser's own `circular` rule sees cycles between
 * files, and its folder rules only between leaf folders; `--collapse` is applied to reports, after the rules.)
 *
 * Prints each violation and each cycle (with one import that makes each step) and exits non-zero on any.
 */
const UNIT = /^(src\/[^/]+)\//;

/** The unit a module belongs to: its first-level folder of src/, or the module itself. */
const unitOf = (source) => UNIT.exec(source)?.[1] ?? source;

/** Strongly connected components (Tarjan), each with more than one unit: the folder cycles. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node), index.get(to)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** The folder graph of a cruise: unit -> unit -> one import that makes the edge. */
function folderGraph(modules) {
  const graph = new Map();
  for (const module of modules) {
    if (!module.source.startsWith('src/')) continue;
    const from = unitOf(module.source);
    for (const dependency of module.dependencies ?? []) {
      if (!dependency.resolved?.startsWith('src/')) continue;
      const to = unitOf(dependency.resolved);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from).has(to)) graph.get(from).set(to, `${module.source} -> ${dependency.resolved}`);
    }
  }
  return graph;
}

/** @param {import('dependency-cruiser').ICruiseResult} result */
module.exports = function folderCyclesReporter(result) {
  const lines = [];
  const errors = (result.summary.violations ?? []).filter((v) => v.rule.severity === 'error');
  for (const violation of errors) lines.push(`  error ${violation.rule.name}: ${violation.from} -> ${violation.to}`);

  const graph = folderGraph(result.modules ?? []);
  const found = cycles(graph);
  for (const component of found) {
    lines.push(`  error no-folder-cycle: ${component.join(', ')} import each other in a cycle:`);
    const members = new Set(component);
    for (const from of component)
      for (const [to, via] of graph.get(from) ?? [])
        if (members.has(to)) lines.push(`      ${from} -> ${to}   (${via})`);
  }

  const failures = errors.length + found.length;
  const summary = failures
    ? `x ${errors.length} dependency violation(s), ${found.length} folder cycle(s) in src/`
    : `ok: no dependency violations, no folder cycle in src/ (${result.summary.totalCruised} modules cruised)`;
  return { output: `${lines.join('\n')}${lines.length ? '\n' : ''}${summary}\n`, exitCode: failures };
};

module.exports.folderGraph = folderGraph;
module.exports.cycles = cycles;
