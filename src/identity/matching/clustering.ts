import { HardNegative } from './match-rules';

export interface LinkEdge {
  a: number;
  b: number;
  weight: number;
  deterministic: boolean;
}

export interface PairJudgement {
  weight: number;
  hardNegative: boolean;
  hardNegatives: HardNegative[];
}

export interface RejectedLink {
  a: number;
  b: number;
  weight: number;
  reason: 'hard negative in cluster' | 'weak support across clusters' | 'ambiguous: links to two different people';
}

export interface Clustering {
  /** Cluster of each record, numbered from 0 in order of each cluster's first record. */
  clusterOf: Int32Array;
  clusterCount: number;
  /** Auto-links that were not applied because joining their clusters was not supported. */
  rejected: RejectedLink[];
}

export interface ClusteringOptions {
  /** Whether a record holds the field that separates the two people of a hard negative. */
  holds: (record: number, negative: HardNegative) => boolean;
  /** Mean weight over all cross pairs needed to join two clusters (the review threshold's weight). */
  minMeanWeight: number;
  /**
   * The auto-link weight. A cross pair that is as surely two people as a link is one person (weight at or
   * below minus this) blocks a join unless the mean over all cross pairs reaches it: only a group that is
   * itself linked with confidence outweighs one confident non-match. Omitted: no such check.
   */
  linkWeight?: number;
  /** Cross pairs checked before a join; beyond this an evenly spaced sample of them. */
  maxCrossPairs: number;
}

/**
 * Greedy constrained agglomeration over auto-links, strongest first (deterministic links before all).
 * Two clusters join only if no pair across them is a hard negative and the mean weight of all pairs
 * across them (scored directly, not just the linking pair) reaches the review threshold. So a weak middle
 * record cannot chain two people together: A-B and B-C may both be strong, but {A,B} joins C only if A
 * and C also look alike on average; twins and Sr / Jr, being hard negatives, never share a cluster.
 */
export function clusterLinks(
  n: number,
  edges: LinkEdge[],
  judge: (a: number, b: number) => PairJudgement,
  options: ClusteringOptions,
): Clustering {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const members = new Map<number, number[]>();
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const of = (root: number) => members.get(root) ?? [root];
  const rejected: RejectedLink[] = [];
  const isAmbiguous = ambiguity(edges, judge, options.holds);
  const sorted = [...edges].sort(
    (x, y) => +y.deterministic - +x.deterministic || y.weight - x.weight || x.a - y.a || x.b - y.b,
  );
  for (const edge of sorted) {
    if (isAmbiguous(edge.a) || isAmbiguous(edge.b)) {
      rejected.push({ a: edge.a, b: edge.b, weight: edge.weight, reason: 'ambiguous: links to two different people' });
      continue;
    }
    const ra = find(edge.a);
    const rb = find(edge.b);
    if (ra === rb) continue;
    const A = of(ra);
    const B = of(rb);
    const verdict = supported(A, B, judge, options);
    if (verdict !== true) {
      rejected.push({ a: edge.a, b: edge.b, weight: edge.weight, reason: verdict });
      continue;
    }
    const [big, small, bigRoot, smallRoot] = A.length >= B.length ? [A, B, ra, rb] : [B, A, rb, ra];
    parent[smallRoot] = bigRoot;
    const joined = big.concat(small);
    members.set(bigRoot, joined);
    members.delete(smallRoot);
  }
  const clusterOf = new Int32Array(n);
  const label = new Int32Array(n).fill(-1);
  let clusterCount = 0;
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (label[root] < 0) label[root] = clusterCount++;
    clusterOf[i] = label[root];
  }
  return { clusterOf, clusterCount, rejected };
}

/** Neighbours checked per record for ambiguity (a record with more auto-links is checked on its strongest). */
const MAX_NEIGHBOURS = 24;

/**
 * A record is ambiguous when it auto-links to two records that cannot be one person and it lacks the very
 * field that tells them apart: a twin's record with no given name, a father's record with no date of
 * birth next to his namesake son's. Linking it to either would be a guess, so it goes to review instead.
 */
function ambiguity(
  edges: LinkEdge[],
  judge: (a: number, b: number) => PairJudgement,
  holds: ClusteringOptions['holds'],
): (record: number) => boolean {
  const neighbours = new Map<number, LinkEdge[]>();
  for (const e of edges) {
    for (const x of [e.a, e.b]) {
      const list = neighbours.get(x);
      if (list) list.push(e);
      else neighbours.set(x, [e]);
    }
  }
  const cache = new Map<number, boolean>();
  return (record) => {
    const known = cache.get(record);
    if (known !== undefined) return known;
    const list = (neighbours.get(record) ?? [])
      .slice()
      .sort((x, y) => y.weight - x.weight)
      .slice(0, MAX_NEIGHBOURS);
    const others = list.map((e) => (e.a === record ? e.b : e.a));
    let found = false;
    for (let i = 0; i < others.length && !found; i++) {
      for (let j = i + 1; j < others.length && !found; j++)
        found = judge(others[i], others[j]).hardNegatives.some((n) => !holds(record, n));
    }
    cache.set(record, found);
    return found;
  };
}

/** Weights are capped so one infinite or absurd pair cannot dominate the mean. */
const CAP = 60;

function supported(
  A: number[],
  B: number[],
  judge: (a: number, b: number) => PairJudgement,
  options: ClusteringOptions,
): true | RejectedLink['reason'] {
  const total = A.length * B.length;
  const step = total > options.maxCrossPairs ? total / options.maxCrossPairs : 1;
  let sum = 0;
  let count = 0;
  let min = Infinity;
  for (let t = 0; t < total; t += step) {
    const p = Math.floor(t);
    const j = judge(A[Math.floor(p / B.length)], B[p % B.length]);
    if (j.hardNegative) return 'hard negative in cluster';
    const w = Math.max(-CAP, Math.min(CAP, j.weight));
    sum += w;
    min = Math.min(min, w);
    count++;
  }
  const mean = sum / count;
  if (mean < options.minMeanWeight) return 'weak support across clusters';
  if (options.linkWeight !== undefined && min <= -options.linkWeight && mean < options.linkWeight)
    return 'weak support across clusters';
  return true;
}
