import { Blocker } from './blocker';
import { BlockingRule, blockingKeysOf, blockingRulesFor } from './blocking-keys';
import { BandPair, clusterLinks, Clustering, LinkEdge } from './clustering';
import { matchConfig, MatchConfigInput } from './match-config';
import { logit2, MatchModel, ModelJson, PairScore } from './match-model';
import { holdsDistinguishingField } from './match-rules';
import {
  addCounts,
  countUBlocks,
  countUInThread,
  defaultScoringThreads,
  ReviewPair,
  ScoredCandidates,
  scoreCandidates,
  scoreCandidatesInThreads,
} from './parallel-scoring';
import { PreparedParts, prepareRecord } from './prepare';
import { buildComparisons } from './comparisons';
import { shareRecords, SharedRecordsData } from './shared-records';
import { countU, startTraining, trainModel, TrainingReport, UPairs } from './training';
import { MatchRecord, PreparedRecord } from './types';

/** The fields of a record whose raw values were dropped after preparing (one object, never written to). */
const NO_FIELDS: MatchRecord['fields'] = Object.freeze({});

/**
 * Prepares a batch's records one at a time as they come (as they are read, say), numbering them by
 * position and sharing their equal parts (see `PreparedParts`); with `freeFields`, each record's raw
 * fields are dropped once it is prepared. `prepareBatch` is this over a whole batch, keeping the fields.
 */
export class BatchPreparer {
  readonly prepared: PreparedRecord[] = [];
  private readonly parts = new PreparedParts();

  constructor(private readonly freeFields = false) {}

  add(record: MatchRecord, index = this.prepared.length): void {
    if (index !== this.prepared.length) throw new Error(`record ${index} prepared out of order`);
    this.prepared.push(prepareRecord(record, index, this.parts));
    if (this.freeFields) record.fields = NO_FIELDS;
  }
}

export interface MatcherJson {
  model: ModelJson;
  blockingRules: BlockingRule[];
  training?: TrainingReport;
}

export type { ReviewPair } from './parallel-scoring';

export interface LinkResult extends Clustering {
  candidatePairs: number;
  autoLinks: number;
  /** The review queue: one item per pair of clusters, most probable first, within the workload limit. */
  review: ReviewPair[];
  /** Review items left out because the queue reached `thresholds.reviewPerThousand`. */
  reviewNotQueued: number;
  /** With threaded scoring: the chunks of candidate pairs each thread scored (this thread first). */
  chunksPerThread?: number[];
}

/**
 * The identity-matching engine: pure, in memory, no database. Train on unlabelled records, score pairs
 * with a full explanation, find candidates through the blocking rules, and cluster a batch.
 *
 * A persistent index uses it as: `train` (or `fromJSON` of a stored model), `prepare` each record,
 * `blockingKeys` to store its (rule, key) rows, candidates by an equality join on those keys, `scorePair`
 * for each candidate, and `decide`/`cluster` for the links.
 */
export class IdentityMatcher {
  private constructor(
    readonly model: MatchModel,
    readonly blockingRules: BlockingRule[],
    readonly training?: TrainingReport,
  ) {}

  /**
   * Normalises a batch once, numbering records by position; equal parts of its records (names, dates,
   * postcodes, addresses) are shared (see `PreparedParts`). To drop raw fields as records are prepared,
   * use a `BatchPreparer` (the link command does).
   */
  static prepareBatch(records: readonly MatchRecord[]): PreparedRecord[] {
    const batch = new BatchPreparer();
    records.forEach((record, i) => batch.add(record, i));
    return batch.prepared;
  }

  /** Trains a model on the records themselves (no labels). Prepared records are annotated in place. */
  static train(records: readonly MatchRecord[] | PreparedRecord[], config: MatchConfigInput = {}): IdentityMatcher {
    return IdentityMatcher.trainWithIndex(records, config).matcher;
  }

  /** As `train`, also returning the blocking index it built, for `link` on the same batch. */
  static trainWithIndex(
    records: readonly MatchRecord[] | PreparedRecord[],
    config: MatchConfigInput = {},
  ): { matcher: IdentityMatcher; index: Blocker; records: PreparedRecord[] } {
    const prepared = isPreparedBatch(records) ? records : IdentityMatcher.prepareBatch(records);
    const parsed = matchConfig(config);
    const identifierKeys = identifierKeysOf(prepared);
    const rules = blockingRulesFor(identifierKeys);
    const index = new Blocker(prepared, rules, parsed.blocking.maxBlockSize, parsed.blocking.window);
    const { model, report } = trainModel(prepared, parsed, rules, identifierKeys, index);
    return { matcher: new IdentityMatcher(model, rules, report), index, records: prepared };
  }

  /**
   * As `trainWithIndex`, comparing u's random pairs on a second thread while this one counts households
   * and samples EM's pairs (`threads` > 1 and more pairs than u samples). The records are written to shared
   * memory for it (returned as `store`, for `linkInThreads`). The model is the one `trainWithIndex` gives.
   */
  static async trainInThreads(
    prepared: PreparedRecord[],
    config: MatchConfigInput = {},
    threads = defaultScoringThreads(),
  ): Promise<{ matcher: IdentityMatcher; index: Blocker; store?: SharedRecordsData }> {
    const parsed = matchConfig(config);
    const identifierKeys = identifierKeysOf(prepared);
    const rules = blockingRulesFor(identifierKeys);
    const index = new Blocker(prepared, rules, parsed.blocking.maxBlockSize, parsed.blocking.window);
    let store: SharedRecordsData | undefined;
    let counting: Promise<Float64Array[]> | undefined;
    let chosen = { all: true } as UPairs;
    const next = new Int32Array(new SharedArrayBuffer(4));
    const finish = startTraining(prepared, parsed, rules, identifierKeys, index, (pairs) => {
      chosen = pairs;
      if (threads < 2 || pairs.all) return;
      store = shareRecords(prepared);
      counting = countUInThread({ records: store, identifierKeys, i: pairs.i, j: pairs.j, next });
      // Awaited below; a failure before then must not count as unhandled.
      counting.catch(() => undefined);
    });
    const comparisons = buildComparisons(identifierKeys);
    let counts: Float64Array[];
    if (counting && !chosen.all) {
      // This thread takes the blocks the other has not reached yet.
      counts = countUBlocks({ i: chosen.i, j: chosen.j, next }, (i) => prepared[i], comparisons);
      addCounts(counts, await counting);
    } else counts = countU(prepared.length, (i) => prepared[i], comparisons, chosen);
    const { model, report } = finish(counts);
    return { matcher: new IdentityMatcher(model, rules, report), index, ...(store ? { store } : {}) };
  }

  static fromJSON(json: MatcherJson, config?: MatchConfigInput): IdentityMatcher {
    return new IdentityMatcher(MatchModel.fromJSON(json.model, config), json.blockingRules, json.training);
  }

  toJSON(): MatcherJson {
    return {
      model: this.model.toJSON(),
      blockingRules: this.blockingRules,
      ...(this.training ? { training: this.training } : {}),
    };
  }

  /** Normalises a record and weights its address tokens by this model's frequencies. */
  prepare(record: MatchRecord, index = -1): PreparedRecord {
    const prepared = prepareRecord(record, index);
    this.model.tf.annotate(prepared);
    return prepared;
  }

  scorePair(a: MatchRecord | PreparedRecord, b: MatchRecord | PreparedRecord): PairScore {
    return this.model.score(this.asPrepared(a), this.asPrepared(b));
  }

  /** The (rule, key) rows under which a record is found; candidates share at least one. */
  blockingKeys(record: MatchRecord | PreparedRecord): { rule: string; key: string }[] {
    return blockingKeysOf(this.blockingRules, this.asPrepared(record));
  }

  /** An in-memory candidate index over a prepared batch. */
  index(records: PreparedRecord[]): Blocker {
    const { maxBlockSize, window } = this.model.config.blocking;
    return new Blocker(records, this.blockingRules, maxBlockSize, window);
  }

  /** Positions in the indexed batch of the records sharing a block with this one. */
  candidatesFor(record: MatchRecord | PreparedRecord, index: Blocker): number[] {
    return index.candidatesFor(this.asPrepared(record));
  }

  /** Blocks, scores every candidate pair once, and clusters the auto-links. */
  link(records: PreparedRecord[], index: Blocker = this.index(records)): LinkResult {
    return this.settle(records, scoreCandidates(this.model, records, index));
  }

  /**
   * As `link`, scoring the candidate pairs on `threads` threads (this one included; see
   * parallel-scoring.ts). The result is the one `link` gives: only the time taken differs.
   */
  async linkInThreads(
    records: PreparedRecord[],
    index: Blocker = this.index(records),
    threads = defaultScoringThreads(),
    store?: SharedRecordsData,
  ): Promise<LinkResult> {
    return this.settle(records, await scoreCandidatesInThreads(this.model, records, index, threads, store));
  }

  /** Clusters the auto-links and queues the review pairs of a batch's scored candidates. */
  private settle(records: PreparedRecord[], scored: ScoredCandidates): LinkResult {
    const model = this.model;
    const { edges, review, candidatePairs } = scored;
    // The review candidates so far are the band: every other record a lone record might belong with.
    const clustering = this.cluster(records, edges, review);
    for (const r of clustering.rejected) review.push(r);
    const queue = reviewQueue(review, clustering.clusterOf);
    const perThousand = model.config.thresholds.reviewPerThousand;
    const limit = perThousand === null ? Infinity : Math.max(1, Math.floor((records.length * perThousand) / 1000));
    return {
      ...clustering,
      candidatePairs,
      autoLinks: edges.length,
      review: queue.slice(0, limit),
      reviewNotQueued: Math.max(0, queue.length - limit),
      ...(scored.chunksPerThread ? { chunksPerThread: scored.chunksPerThread } : {}),
    };
  }

  /**
   * Clusters auto-links without chaining through weak records or across hard negatives. With the batch's
   * review-band pairs, a record left alone whose band pairs all lead into one group joins it (see
   * `clusterLinks`).
   */
  cluster(records: PreparedRecord[], edges: LinkEdge[], band?: BandPair[]): Clustering {
    const model = this.model;
    return clusterLinks(records.length, edges, (a, b) => model.quickScore(records[a], records[b]), {
      minMeanWeight: logit2(model.config.clustering.minMeanProbability),
      holds: (record, negative) => holdsDistinguishingField(records[record], negative),
      maxCrossPairs: model.config.clustering.maxCrossPairs,
      refine: model.config.clustering.method === 'correlation',
      components: model.config.clustering.method === 'components',
      priorWeight: model.priorWeight,
      ...(band && model.config.clustering.settleLoneRecords
        ? {
            band,
            lonePairs: model.config.clustering.settleLonePairs,
            outliers: model.config.clustering.settleDespiteOutliers,
            named: (record: number) => identifiable(records[record]),
          }
        : {}),
    });
  }

  private asPrepared(record: MatchRecord | PreparedRecord): PreparedRecord {
    return 'fields' in record ? this.prepare(record) : record;
  }
}

/**
 * The clerical review queue: one item per pair of clusters (the strongest record pair between them, with
 * its reason), since a person decides whether two groups of records are one person, not each record pair
 * between them; pairs whose records ended in one cluster anyway are settled and dropped. Strongest first.
 */
export function reviewQueue(pairs: readonly ReviewPair[], clusterOf: Int32Array): ReviewPair[] {
  const best = new Map<string, ReviewPair>();
  for (const pair of pairs) {
    const ca = clusterOf[pair.a];
    const cb = clusterOf[pair.b];
    if (ca === cb) continue;
    const key = ca < cb ? `${ca}:${cb}` : `${cb}:${ca}`;
    const held = best.get(key);
    if (!held || pair.weight > held.weight) best.set(key, pair);
  }
  return [...best.values()].sort((x, y) => y.weight - x.weight || x.a - y.a || x.b - y.b);
}

/**
 * Whether a record says enough to be picked out by elimination: a given and a family name, or three kinds
 * of field (names, date of birth, where the person lives, email, phone, identifiers). A family name with a
 * date of birth, or a date of birth with a town, fits many people (see `clusterLinks`, `named`).
 */
export function identifiable(r: PreparedRecord): boolean {
  if (r.given && r.family) return true;
  const kinds = [
    r.given ?? r.family,
    r.dob,
    r.address ?? r.postcode ?? r.uprn ?? r.locality,
    r.email,
    r.phone,
    r.nino ?? r.nhs ?? (r.identifiers?.size ? r.identifiers : null),
  ];
  return kinds.filter((k) => k !== null && k !== undefined).length >= 3;
}

/** The free-named identifier keys a batch's records hold, sorted. */
function identifierKeysOf(prepared: readonly PreparedRecord[]): string[] {
  return [...new Set(prepared.flatMap((r) => (r.identifiers ? [...r.identifiers.keys()] : [])))].sort();
}

function isPreparedBatch(records: readonly MatchRecord[] | PreparedRecord[]): records is PreparedRecord[] {
  return records.length === 0 || !('fields' in records[0]);
}
