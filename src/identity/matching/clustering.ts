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
  /** The household pattern that capped the weight, if any: such a pair is never neutral. */
  household?: string | null;
  /** The sum of the negative field weights (0 when no field speaks against a match). */
  against?: number;
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
  /** After agglomeration, move single records where the weights hold them better (see `refine`). */
  refine?: boolean;
  /** Plain connected components of the auto-links (only decisive negatives refused): for comparison. */
  components?: boolean;
  /**
   * The model's prior weight. When given, a cross pair whose evidence does not speak against it (no field
   * weighs more than a bit against a match; fields missing or agreeing too little to link) and that is no household pattern
   * counts as neutral (the review weight) in the mean rather than at its weight, which is mostly the
   * prior: only contradictions, household evidence and links move the mean.
   */
  priorWeight?: number;
  /**
   * Candidate pairs in the review band (at least the review weight, below the auto-link weight, no decisive
   * negative), with whether household evidence capped them. When given, a record left on its own whose
   * band pairs all lead into one cluster of two or more records joins it if the cluster check passes (see
   * `attachLoneRecords`).
   */
  band?: BandPair[];
  /**
   * With `band`: two lone records whose band pairs and refused links all lead to each other, and to no
   * one else, join when no field they both hold differs (see `attachLoneRecords`).
   */
  lonePairs?: boolean;
  /**
   * With `band`: a lone record may join a cluster some of whose members it contradicts when those members
   * are the cluster's own odd ones out (see `outliersOnly`); the cluster check is then over the others.
   */
  outliers?: boolean;
  /**
   * Whether a record says enough to pick out one person (a given and a family name, or three kinds of
   * field). Settling a lone pair, or a record despite a group's odd ones out, needs such records: the
   * elimination rests on the record picking out one person, which a family name and a date of birth near
   * miss, or a date of birth and a town (many people could have them), do not.
   */
  named?: (record: number) => boolean;
}

/** A candidate pair in the review band (a pair held back by a decisive negative may be among them). */
export interface BandPair {
  a: number;
  b: number;
  weight: number;
  /** Whether household evidence capped the pair. */
  household?: boolean;
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
    const verdict = options.components ? decisiveOnly(A, B, judge, options) : supported(A, B, judge, options);
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
  const rootOf = new Int32Array(n);
  for (let i = 0; i < n; i++) rootOf[i] = find(i);
  if (options.refine) refine(rootOf, edges, judge, options, isAmbiguous, rejected);
  if (options.band) attachLoneRecords(rootOf, options.band, edges, judge, options, isAmbiguous);
  const clusterOf = new Int32Array(n);
  const label = new Int32Array(n).fill(-1);
  let clusterCount = 0;
  for (let i = 0; i < n; i++) {
    const root = rootOf[i];
    if (label[root] < 0) label[root] = clusterCount++;
    clusterOf[i] = label[root];
  }
  return { clusterOf, clusterCount, rejected };
}

/** Clusters larger than this are left as agglomeration made them (a move would cost a pass over them). */
const MAX_REFINED_CLUSTER = 400;
/** Bits a move must gain: no record oscillates between two clusters it fits almost equally. */
const MIN_GAIN = 1;

/**
 * Correlation-clustering refinement (local moves): each record may move to the cluster of one of its
 * auto-linked neighbours, or out on its own, when that raises the sum of (capped) match weights inside
 * clusters, i.e. when its total weight to the other cluster's members exceeds its total to its own by at
 * least MIN_GAIN bits. It joins a cluster only if its mean weight to the members reaches `minMeanWeight`
 * and no member is a decisive negative. Agglomeration is greedy and order-dependent: an early join on one
 * strong pair can hold a record in the wrong group, and a late join can be refused on the mean although
 * the record sits better there than where it is; these moves settle such records. Ambiguous records stay.
 */
function refine(
  rootOf: Int32Array,
  edges: LinkEdge[],
  judge: (a: number, b: number) => PairJudgement,
  options: ClusteringOptions,
  isAmbiguous: (record: number) => boolean,
  rejected: RejectedLink[],
): void {
  const members = new Map<number, number[]>();
  for (let i = 0; i < rootOf.length; i++) {
    const list = members.get(rootOf[i]);
    if (list) list.push(i);
    else members.set(rootOf[i], [i]);
  }
  const neighbours = new Map<number, number[]>();
  for (const e of edges) {
    for (const [x, y] of [
      [e.a, e.b],
      [e.b, e.a],
    ]) {
      const list = neighbours.get(x);
      if (list) list.push(y);
      else neighbours.set(x, [y]);
    }
  }
  const capped = (a: number, b: number) => {
    const j = judge(a, b);
    return j.hardNegative ? -Infinity : effectiveWeight(j, options);
  };
  const total = (x: number, cluster: number[]) => {
    let sum = 0;
    for (const y of cluster) if (y !== x) sum += capped(x, y);
    return sum;
  };
  const movers = [...neighbours.keys()].sort((x, y) => x - y);
  for (let round = 0; round < 3; round++) {
    let moved = 0;
    for (const x of movers) {
      if (isAmbiguous(x)) continue;
      const own = members.get(rootOf[x]) as number[];
      if (own.length > MAX_REFINED_CLUSTER) continue;
      const stay = own.length > 1 ? total(x, own) : 0;
      let best = -1;
      let bestSum = Math.max(0, stay + MIN_GAIN);
      for (const y of neighbours.get(x) ?? []) {
        const target = rootOf[y];
        if (target === rootOf[x] || target === best) continue;
        const cluster = members.get(target) as number[];
        if (cluster.length > MAX_REFINED_CLUSTER) continue;
        const sum = total(x, cluster);
        if (sum / cluster.length >= options.minMeanWeight && sum > bestSum) {
          best = target;
          bestSum = sum;
        }
      }
      // Out on its own when its own cluster holds it together on balance no more.
      const leave = best < 0 && own.length > 1 && stay / (own.length - 1) < options.minMeanWeight && stay < -MIN_GAIN;
      if (best < 0 && !leave) continue;
      own.splice(own.indexOf(x), 1);
      if (own.length && rootOf[x] === x) {
        // The cluster keeps its members under a new root.
        const root = own[0];
        for (const m of own) rootOf[m] = root;
        members.set(root, own);
        members.delete(x);
      }
      if (best >= 0) {
        rootOf[x] = best;
        (members.get(best) as number[]).push(x);
      } else {
        rootOf[x] = x;
        members.set(x, [x]);
      }
      moved++;
    }
    if (!moved) break;
  }
  const already = new Set(rejected.map((r) => `${Math.min(r.a, r.b)}:${Math.max(r.a, r.b)}`));
  for (const e of edges) {
    if (rootOf[e.a] === rootOf[e.b] || already.has(`${Math.min(e.a, e.b)}:${Math.max(e.a, e.b)}`)) continue;
    rejected.push({ a: e.a, b: e.b, weight: e.weight, reason: 'weak support across clusters' });
  }
}

/**
 * A sparse record (a name and little else) seldom reaches the auto-link weight against any one record, so
 * after agglomeration it is often left on its own with review-band pairs into the group of the person it
 * belongs to. It joins that group when the evidence points to it alone:
 *
 * - the record is on its own (no auto-link was applied to it) and not ambiguous;
 * - every one of its band pairs, and its auto-links the clustering refused, lead into the same cluster,
 *   and that cluster holds two or more records (a person whose records recur: no other record or group
 *   is an alternative within the band);
 * - nothing in any of its pairs with the cluster's members speaks against one person: no decisive
 *   negative, no household pattern (twins and namesakes are never settled by elimination), no field
 *   weighing more than two bits against a match. The record is missing what would tell, it contradicts
 *   nothing (a namesake with another date of birth and address is a different person, not a sparse record);
 * - the cluster check of agglomeration passes (the mean weight over all its pairs with the cluster, cross
 *   pairs with nothing against them neutral, reaches `minMeanWeight`).
 *
 * Every band pair is already "on balance one person" (probability at least the review threshold); what the
 * stage adds is that the alternatives are ruled out by the data itself. The snapshot is taken once, before
 * any record is attached, so the outcome does not depend on the order of the records, and two lone
 * records never pull each other into a group.
 */
function attachLoneRecords(
  rootOf: Int32Array,
  band: BandPair[],
  edges: LinkEdge[],
  judge: (a: number, b: number) => PairJudgement,
  options: ClusteringOptions,
  isAmbiguous: (record: number) => boolean,
): void {
  const size = new Map<number, number>();
  for (let i = 0; i < rootOf.length; i++) size.set(rootOf[i], (size.get(rootOf[i]) ?? 0) + 1);
  // The one cluster each lone record's band pairs lead into; -1 once a second cluster or a household pair shows.
  const target = new Map<number, number>();
  const note = (x: number, y: number, household: boolean) => {
    if (size.get(rootOf[x]) !== 1) return;
    const into = household ? -1 : rootOf[y];
    const held = target.get(x);
    target.set(x, held === undefined || held === into ? into : -1);
  };
  for (const p of band) {
    note(p.a, p.b, p.household === true);
    note(p.b, p.a, p.household === true);
  }
  // An auto-link the clusters refused is an alternative too: it counts like a band pair.
  for (const e of edges) {
    note(e.a, e.b, false);
    note(e.b, e.a, false);
  }
  const snapshot = Int32Array.from(rootOf);
  const isNamed = options.named ?? (() => true);
  const membersOf = new Map<number, number[]>();
  for (let i = 0; i < snapshot.length; i++) {
    const list = membersOf.get(snapshot[i]);
    if (list) list.push(i);
    else membersOf.set(snapshot[i], [i]);
  }
  for (const [x, root] of [...target].sort((p, q) => p[0] - q[0])) {
    if (root < 0 || isAmbiguous(x)) continue;
    if ((size.get(root) ?? 0) < 2) {
      // Two lone records that are each other's only alternative: `root` is the other record itself.
      const y = root;
      if (
        options.lonePairs &&
        x < y &&
        target.get(y) === snapshot[x] &&
        isNamed(x) &&
        isNamed(y) &&
        !isAmbiguous(y) &&
        agreesThroughout(judge(x, y))
      )
        rootOf[y] = rootOf[x];
      continue;
    }
    const cluster = membersOf.get(root) as number[];
    const agreeing = cluster.filter((y) => consistent(judge(x, y)));
    if (agreeing.length === cluster.length) {
      if (supported([x], cluster, judge, options) === true) rootOf[x] = root;
    } else if (options.outliers && isNamed(x) && outliersOnly(x, cluster, agreeing, judge)) {
      if (supported([x], agreeing, judge, options) === true) rootOf[x] = root;
    }
  }
}

/**
 * Whether the members of a cluster that a lone record contradicts are the cluster's own odd ones out: the
 * record agrees with most of the cluster, and each member it contradicts contradicts one of those it
 * agrees with too (a copy whose family name was replaced contradicts the name-only record and the other
 * copies alike: the contradiction is that copy's error, not the record's). No decisive negative anywhere.
 */
function outliersOnly(
  x: number,
  cluster: number[],
  agreeing: number[],
  judge: (a: number, b: number) => PairJudgement,
): boolean {
  if (agreeing.length * 2 <= cluster.length) return false;
  const held = new Set(agreeing);
  return cluster.every(
    (y) => held.has(y) || (!judge(x, y).hardNegative && agreeing.some((z) => !consistent(judge(y, z)))),
  );
}

/**
 * Stricter than `consistent`, for two lone records settled on each other alone: no field they both hold
 * weighs against a match at all. Two people of one common name with other dates of birth and addresses
 * differ in fields both hold; a name-only record and a full record of that name do not. (In small or
 * uniform data EM can make such differences weigh less than two bits, so `consistent` is not enough.)
 */
function agreesThroughout(j: PairJudgement): boolean {
  return !j.hardNegative && !j.household && (j.against ?? -Infinity) >= 0;
}

/** Nothing in the pair speaks against one person: no decisive negative, no household pattern, no field
 * weighing more than NEUTRAL_AGAINST bits against a match. */
function consistent(j: PairJudgement): boolean {
  return !j.hardNegative && !j.household && (j.against ?? -Infinity) > -NEUTRAL_AGAINST;
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

/** Bits of evidence against a match that a pair may carry and still count as neutral (a slip or two). */
const NEUTRAL_AGAINST = 2;

/** A cross pair's weight in the mean: capped, and neutral when nothing in it speaks against a match. */
function effectiveWeight(j: PairJudgement, options: ClusteringOptions): number {
  const w = Math.max(-CAP, Math.min(CAP, j.weight));
  const neutral =
    options.priorWeight !== undefined &&
    j.weight >= options.priorWeight &&
    !j.household &&
    (j.against ?? -Infinity) > -NEUTRAL_AGAINST;
  return neutral ? Math.max(w, options.minMeanWeight) : w;
}

function decisiveOnly(
  A: number[],
  B: number[],
  judge: (a: number, b: number) => PairJudgement,
  options: ClusteringOptions,
): true | RejectedLink['reason'] {
  const total = A.length * B.length;
  const step = total > options.maxCrossPairs ? total / options.maxCrossPairs : 1;
  for (let t = 0; t < total; t += step) {
    const p = Math.floor(t);
    if (judge(A[Math.floor(p / B.length)], B[p % B.length]).hardNegative) return 'hard negative in cluster';
  }
  return true;
}

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
    const w = effectiveWeight(j, options);
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
