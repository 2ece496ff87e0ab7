import { BlockingRule, blockingKey, sortKeyOf } from './blocking-keys';
import { PreparedRecord } from './types';

/** A run of consecutive blocks of one rule: a unit of scoring work (see `Blocker.chunks`). */
export interface CandidateChunk {
  rule: number;
  fromBlock: number;
  toBlock: number;
}

/** The blocks of an index on shared memory (see `Blocker.share`). */
export interface SharedBlocks {
  maxBlockSize: number;
  window: number;
  rules: BlockingRule[];
  blocks: { blockOf: Int32Array; rank: Int32Array; offsets: Int32Array; members: Int32Array; pairs: number }[];
}

interface RuleBlocks {
  rule: BlockingRule;
  /** Built on first use by candidatesFor: a batch link never needs it, and it is the largest structure. */
  keyToBlock: Map<string, number> | null;
  /** Block of each record, -1 when a key is missing. */
  blockOf: Int32Array;
  /** Position of each record inside its block (sorted by sortKeyOf when oversized). */
  rank: Int32Array;
  /** Members of block b are members[offsets[b] .. offsets[b + 1]). */
  offsets: Int32Array;
  members: Int32Array;
  pairs: number;
}

/**
 * In-memory blocking over a batch of prepared records. Each rule groups records by its key; a block larger
 * than maxBlockSize is searched by sorted neighbourhood (each record against the next window - 1 records
 * in name order), which bounds the work for keys such as a common date or a placeholder value. The union
 * of the rules' pairs is enumerated once: a pair is visited by the first rule that produces it.
 */
export class Blocker {
  private readonly blocks: RuleBlocks[];

  constructor(
    private readonly records: readonly PreparedRecord[],
    readonly rules: readonly BlockingRule[],
    private readonly maxBlockSize: number,
    private readonly window: number,
  ) {
    let sortKeys: string[] | null = null;
    this.blocks = rules.map((rule) => {
      const n = records.length;
      const keyToBlock = new Map<string, number>();
      const blockOf = new Int32Array(n).fill(-1);
      const sizes: number[] = [];
      for (let i = 0; i < n; i++) {
        const key = blockingKey(rule, records[i]);
        if (key === null) continue;
        let b = keyToBlock.get(key);
        if (b === undefined) {
          b = sizes.length;
          keyToBlock.set(key, b);
          sizes.push(0);
        }
        blockOf[i] = b;
        sizes[b]++;
      }
      const offsets = new Int32Array(sizes.length + 1);
      for (let b = 0; b < sizes.length; b++) offsets[b + 1] = offsets[b] + sizes[b];
      const members = new Int32Array(offsets[sizes.length]);
      const fill = offsets.slice(0, sizes.length);
      for (let i = 0; i < n; i++) if (blockOf[i] >= 0) members[fill[blockOf[i]]++] = i;
      const rank = new Int32Array(n);
      let pairs = 0;
      for (let b = 0; b < sizes.length; b++) {
        const from = offsets[b];
        const size = sizes[b];
        if (size > maxBlockSize) {
          sortKeys ??= records.map(sortKeyOf);
          const keys = sortKeys;
          const sorted = Array.from(members.subarray(from, from + size)).sort((x, y) =>
            keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : 0,
          );
          members.set(sorted, from);
          pairs += (size - window + 1) * (window - 1) + ((window - 1) * (window - 2)) / 2;
        } else pairs += (size * (size - 1)) / 2;
        for (let r = 0; r < size; r++) rank[members[from + r]] = r;
      }
      return { rule, keyToBlock: null, blockOf, rank, offsets, members, pairs };
    });
  }

  /** Pairs rule r produces (counting pairs other rules also produce). */
  pairCount(r: number): number {
    return this.blocks[r].pairs;
  }

  /** Whether rule r produces the pair (i, j). */
  produces(r: number, i: number, j: number): boolean {
    const rb = this.blocks[r];
    const b = rb.blockOf[i];
    if (b < 0 || b !== rb.blockOf[j]) return false;
    if (rb.offsets[b + 1] - rb.offsets[b] <= this.maxBlockSize) return true;
    return Math.abs(rb.rank[i] - rb.rank[j]) < this.window;
  }

  /** The first rule producing the pair, or -1. */
  firstRule(i: number, j: number): number {
    for (let r = 0; r < this.blocks.length; r++) if (this.produces(r, i, j)) return r;
    return -1;
  }

  /** Every pair rule r produces, i < j not guaranteed. */
  forEachPairOfRule(r: number, visit: (i: number, j: number) => void): void {
    const { offsets, members } = this.blocks[r];
    const blockCount = offsets.length - 1;
    for (let b = 0; b < blockCount; b++) {
      const from = offsets[b];
      const to = offsets[b + 1];
      const oversized = to - from > this.maxBlockSize;
      for (let x = from; x < to; x++) {
        const end = oversized ? Math.min(to, x + this.window) : to;
        for (let y = x + 1; y < end; y++) visit(members[x], members[y]);
      }
    }
  }

  /** Every candidate pair once (the union over all rules). */
  forEachCandidate(visit: (i: number, j: number, rule: number) => void): void {
    for (let r = 0; r < this.blocks.length; r++) {
      this.forEachPairOfRule(r, (i, j) => {
        for (let e = 0; e < r; e++) if (this.produces(e, i, j)) return;
        visit(i, j, r);
      });
    }
  }

  /**
   * The candidate pairs split into runs of consecutive blocks of one rule, about `pairsPerChunk` pairs each
   * (counting pairs an earlier rule also produces). Visiting the chunks in order with `forEachCandidateIn`
   * visits exactly the pairs of `forEachCandidate`, in the same order: threads can each take chunks and
   * the results, put back in chunk order, are those of one thread.
   */
  chunks(pairsPerChunk: number): CandidateChunk[] {
    const chunks: CandidateChunk[] = [];
    for (let r = 0; r < this.blocks.length; r++) {
      const { offsets } = this.blocks[r];
      const blockCount = offsets.length - 1;
      let from = 0;
      let pairs = 0;
      for (let b = 0; b < blockCount; b++) {
        const size = offsets[b + 1] - offsets[b];
        pairs += size > this.maxBlockSize ? size * (this.window - 1) : (size * (size - 1)) / 2;
        if (pairs >= pairsPerChunk) {
          chunks.push({ rule: r, fromBlock: from, toBlock: b + 1 });
          from = b + 1;
          pairs = 0;
        }
      }
      if (from < blockCount) chunks.push({ rule: r, fromBlock: from, toBlock: blockCount });
    }
    return chunks;
  }

  /** The candidate pairs of one chunk (see `chunks`), each once, in `forEachCandidate` order. */
  forEachCandidateIn(chunk: CandidateChunk, visit: (i: number, j: number) => void): void {
    const r = chunk.rule;
    const { offsets, members } = this.blocks[r];
    for (let b = chunk.fromBlock; b < chunk.toBlock; b++) {
      const from = offsets[b];
      const to = offsets[b + 1];
      const oversized = to - from > this.maxBlockSize;
      for (let x = from; x < to; x++) {
        const end = oversized ? Math.min(to, x + this.window) : to;
        next: for (let y = x + 1; y < end; y++) {
          const i = members[x];
          const j = members[y];
          for (let e = 0; e < r; e++) if (this.produces(e, i, j)) continue next;
          visit(i, j);
        }
      }
    }
  }

  /**
   * The blocks as arrays on shared memory, for scoring threads: the arrays are moved there (this index
   * uses the shared copies from now on), not duplicated.
   */
  share(): SharedBlocks {
    const toShared = (a: Int32Array) => {
      const shared = new Int32Array(new SharedArrayBuffer(Math.max(4, a.byteLength)), 0, a.length);
      shared.set(a);
      return shared;
    };
    for (const rb of this.blocks) {
      if (rb.blockOf.buffer instanceof SharedArrayBuffer) continue;
      rb.blockOf = toShared(rb.blockOf);
      rb.rank = toShared(rb.rank);
      rb.offsets = toShared(rb.offsets);
      rb.members = toShared(rb.members);
    }
    return {
      maxBlockSize: this.maxBlockSize,
      window: this.window,
      rules: [...this.rules],
      blocks: this.blocks.map(({ blockOf, rank, offsets, members, pairs }) => ({
        blockOf,
        rank,
        offsets,
        members,
        pairs,
      })),
    };
  }

  /** An index over shared blocks (see `share`) for pair enumeration only: it holds no records. */
  static fromShared(shared: SharedBlocks): Blocker {
    const blocker = Object.create(Blocker.prototype) as Blocker;
    Object.assign(blocker, {
      records: [],
      rules: shared.rules,
      maxBlockSize: shared.maxBlockSize,
      window: shared.window,
      blocks: shared.blocks.map((b, r) => ({ ...b, rule: shared.rules[r], keyToBlock: null })),
    });
    return blocker;
  }

  private keyIndex(rb: RuleBlocks): Map<string, number> {
    const index = new Map<string, number>();
    for (let b = 0; b + 1 < rb.offsets.length; b++)
      index.set(blockingKey(rb.rule, this.records[rb.members[rb.offsets[b]]]) as string, b);
    return index;
  }

  /**
   * Records of this batch that share a block with an outside record (for matching one new record against
   * an in-memory index); in an oversized block, the window of records nearest it in name order.
   */
  candidatesFor(record: PreparedRecord): number[] {
    const found = new Set<number>();
    let sortKey: string | null = null;
    for (const rb of this.blocks) {
      const key = blockingKey(rb.rule, record);
      if (key === null) continue;
      rb.keyToBlock ??= this.keyIndex(rb);
      const b = rb.keyToBlock.get(key);
      if (b === undefined) continue;
      const from = rb.offsets[b];
      const to = rb.offsets[b + 1];
      if (to - from <= this.maxBlockSize) {
        for (let x = from; x < to; x++) found.add(rb.members[x]);
        continue;
      }
      sortKey ??= sortKeyOf(record);
      let lo = from;
      let hi = to;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortKeyOf(this.records[rb.members[mid]]) < sortKey) lo = mid + 1;
        else hi = mid;
      }
      for (let x = Math.max(from, lo - this.window + 1); x < Math.min(to, lo + this.window - 1); x++)
        found.add(rb.members[x]);
    }
    found.delete(record.index);
    return [...found].sort((x, y) => x - y);
  }
}
