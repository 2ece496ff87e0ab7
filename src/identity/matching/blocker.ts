import { BlockingRule, blockingKey, blockingKeyParts, sortKeyOf } from './blocking-keys';
import { KeyTable } from './key-table';
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
  blockOf: Int32Array;
  rank: Int32Array;
  blocks: { offsets: Int32Array; members: Int32Array; pairs: number }[];
}

interface RuleBlocks {
  rule: BlockingRule;
  /** Built on first use by candidatesFor: a batch link never needs it, and it is the largest structure. */
  keyToBlock: Map<string, number> | null;
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
  /**
   * Block of record i under rule r at [i * rules + r], -1 when a key is missing. One row per record, so
   * that checking whether an earlier rule produced a pair (done for every pair enumerated) reads one or
   * two cache lines per record, not one per rule: at a million records the arrays of one rule each no
   * longer stay in the cache.
   */
  private blockOf: Int32Array;
  /**
   * Position of record i inside its block under rule r, at [i * rules + r], where that block is oversized
   * (searched by sorted neighbourhood, sorted by sortKeyOf); -1 in a block of at most maxBlockSize, where
   * every two members are a pair.
   */
  private rank: Int32Array;

  constructor(
    private readonly records: readonly PreparedRecord[],
    readonly rules: readonly BlockingRule[],
    private readonly maxBlockSize: number,
    private readonly window: number,
  ) {
    let sortKeys: Map<number, string> | null = null;
    const R = rules.length;
    const n = records.length;
    const { blockOf: rows, sizes: sizesOf } = numberBlocks(rules, records);
    this.blockOf = rows;
    this.rank = new Int32Array(n * R).fill(-1);
    this.blocks = rules.map((rule, r) => {
      const sizes = sizesOf[r];
      const offsets = new Int32Array(sizes.length + 1);
      for (let b = 0; b < sizes.length; b++) offsets[b + 1] = offsets[b] + sizes[b];
      const members = new Int32Array(offsets[sizes.length]);
      const fill = offsets.slice(0, sizes.length);
      for (let i = 0; i < n; i++) {
        const b = rows[i * R + r];
        if (b >= 0) members[fill[b]++] = i;
      }
      const rank = this.rank;
      let pairs = 0;
      for (let b = 0; b < sizes.length; b++) {
        const from = offsets[b];
        const size = sizes[b];
        if (size > maxBlockSize) {
          // Only the members of oversized blocks are sorted: their sort keys are made when first needed.
          sortKeys ??= new Map<number, string>();
          const keys = sortKeys;
          const entries: { key: string; i: number }[] = [];
          for (let x = from; x < from + size; x++) {
            const i = members[x];
            let key = keys.get(i);
            if (key === undefined) keys.set(i, (key = sortKeyOf(records[i])));
            entries.push({ key, i });
          }
          // A stable sort, as before: members of equal keys keep their order.
          entries.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
          const sorted = entries.map((e) => e.i);
          members.set(sorted, from);
          pairs += this.pairsIn(size);
          for (let p = 0; p < size; p++) rank[members[from + p] * R + r] = p;
        } else pairs += this.pairsIn(size);
      }
      return { rule, keyToBlock: null, offsets, members, pairs };
    });
  }

  /**
   * The pairs a block of `size` records gives: every two of them, or in an oversized block each record
   * with the next window - 1 in name order.
   */
  private pairsIn(size: number): number {
    if (size <= this.maxBlockSize || size <= this.window) return (size * (size - 1)) / 2;
    const w = this.window;
    return (size - w + 1) * (w - 1) + ((w - 1) * (w - 2)) / 2;
  }

  /** Pairs rule r produces (counting pairs other rules also produce). */
  pairCount(r: number): number {
    return this.blocks[r].pairs;
  }

  /** Whether rule r produces the pair (i, j). */
  produces(r: number, i: number, j: number): boolean {
    const R = this.blocks.length;
    const b = this.blockOf[i * R + r];
    if (b < 0 || b !== this.blockOf[j * R + r]) return false;
    const rank = this.rank[i * R + r];
    return rank < 0 || Math.abs(rank - this.rank[j * R + r]) < this.window;
  }

  /** Whether a rule before r produces the pair (i, j): `produces` for each, on the records' rows. */
  private earlier(r: number, i: number, j: number): boolean {
    const R = this.blocks.length;
    const blockOf = this.blockOf;
    const rowI = i * R;
    const rowJ = j * R;
    for (let e = 0; e < r; e++) {
      const b = blockOf[rowI + e];
      if (b < 0 || b !== blockOf[rowJ + e]) continue;
      const rank = this.rank[rowI + e];
      if (rank < 0 || Math.abs(rank - this.rank[rowJ + e]) < this.window) return true;
    }
    return false;
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

  /**
   * A random sample of rule r's pairs, in `forEachPairOfRule` order: each pair taken with probability
   * `rate`, independently of the others, as a draw of `random() < rate` for every pair would take them,
   * but without visiting the pairs left out. The gaps between taken pairs are drawn instead (geometric:
   * the number of pairs left out before the next taken one), and whole blocks and rows of a block are
   * stepped over, so the work grows with the blocks and the sample, not the pairs (at a million records
   * a rule can have tens of millions). With a rate of 1 or more, every pair (and no draw).
   */
  forEachSampledPairOfRule(r: number, rate: number, random: () => number, visit: (i: number, j: number) => void): void {
    if (rate >= 1) return this.forEachPairOfRule(r, visit);
    if (!(rate > 0)) return;
    const logLeftOut = Math.log1p(-rate);
    // 1 - random() is in (0, 1]: a gap of 0 when it is 1.
    const gap = () => Math.floor(Math.log(1 - random()) / logLeftOut);
    const { offsets, members } = this.blocks[r];
    const window = this.window;
    /** Pairs to leave out before the next one taken, counted from the current block or row. */
    let skip = gap();
    for (let b = 0; b + 1 < offsets.length; b++) {
      const from = offsets[b];
      const size = offsets[b + 1] - from;
      const oversized = size > this.maxBlockSize;
      const pairs = this.pairsIn(size);
      if (skip >= pairs) {
        skip -= pairs;
        continue;
      }
      for (let x = 0; x < size - 1; x++) {
        const row = oversized ? Math.min(window - 1, size - 1 - x) : size - 1 - x;
        while (skip < row) {
          visit(members[from + x], members[from + x + 1 + skip]);
          skip += 1 + gap();
        }
        skip -= row;
      }
    }
  }

  /** Every candidate pair once (the union over all rules). */
  forEachCandidate(visit: (i: number, j: number, rule: number) => void): void {
    for (let r = 0; r < this.blocks.length; r++) {
      this.forEachPairOfRule(r, (i, j) => {
        if (!this.earlier(r, i, j)) visit(i, j, r);
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
        const i = members[x];
        for (let y = x + 1; y < end; y++) {
          const j = members[y];
          if (r === 0 || !this.earlier(r, i, j)) visit(i, j);
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
    if (!(this.blockOf.buffer instanceof SharedArrayBuffer)) {
      this.blockOf = toShared(this.blockOf);
      this.rank = toShared(this.rank);
      for (const rb of this.blocks) {
        rb.offsets = toShared(rb.offsets);
        rb.members = toShared(rb.members);
      }
    }
    return {
      maxBlockSize: this.maxBlockSize,
      window: this.window,
      rules: [...this.rules],
      blockOf: this.blockOf,
      rank: this.rank,
      blocks: this.blocks.map(({ offsets, members, pairs }) => ({ offsets, members, pairs })),
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
      blockOf: shared.blockOf,
      rank: shared.rank,
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

/**
 * Numbers each rule's blocks in the order their keys first appear in the batch, as a map of
 * `blockingKey`'s strings would: the block of record i under rule r at [i * rules + r] (-1 without a key),
 * and each rule's blocks' sizes. Every rule's key of a record is found while the record is at hand (one
 * pass over the records, not one a rule: at a million records reading a record costs more than its keys),
 * in a `KeyTable` a rule (no joined string per record, no `Map` of up to a million keys). Two keys are
 * equal exactly when each of their values is (`blockingKey` joins them with a character none of them holds).
 */
function numberBlocks(
  rules: readonly BlockingRule[],
  records: readonly PreparedRecord[],
): { blockOf: Int32Array; sizes: number[][] } {
  const R = rules.length;
  const n = records.length;
  const blockOf = new Int32Array(n * R).fill(-1);
  const partsOf = rules.map(blockingKeyParts);
  const tables = partsOf.map((parts) => new KeyTable(parts.length));
  const sizes: number[][] = rules.map(() => []);
  const key: string[] = [];
  for (let i = 0; i < n; i++) {
    const record = records[i];
    next: for (let r = 0; r < R; r++) {
      const parts = partsOf[r];
      for (let p = 0; p < parts.length; p++) {
        const v = parts[p](record);
        if (v === null || v === '') continue next;
        key[p] = v;
      }
      const b = tables[r].id(key);
      if (b === sizes[r].length) sizes[r].push(0);
      blockOf[i * R + r] = b;
      sizes[r][b]++;
    }
  }
  return { blockOf, sizes };
}
