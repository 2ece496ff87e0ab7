import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource, EntityManager } from 'typeorm';
import { HubMetrics, noHubMetrics } from '../../metrics/hub-metrics';
import { IdentityMatcher, MatcherJson } from '../matching/identity-matcher';
import { PairScore } from '../matching/match-model';
import { holdsDistinguishingField } from '../matching/match-rules';
import { MatchRecord, PreparedRecord } from '../matching/types';
import { decideLink, IndexState, pairKey } from './link-decision';
import { LinkRow, PersonIndexStore, ReviewRow, StoredRecord } from './person-index.store';
import { isReportedRecord, REPORTED_SOURCE, ReportedRecord } from './reported-records';

export interface MatchRunSummary {
  processed: number;
  linked: number;
  newPersons: number;
  reviewsOpened: number;
  deleted: number;
  seconds: number;
}

/** Prepared records kept between batches (a few kB each). */
const PREPARED_CACHE_SIZE = 50_000;

/** Records the model is trained on at most: a large sample estimates m and u as well as everything. */
const TRAINING_SAMPLE = 200_000;
/** Fewer records than this cannot train a model worth trusting; matching waits for more data. */
export const MIN_TRAINING_RECORDS = 50;

/**
 * The persistent master person index. New and changed source records (match_status `pending`, set by
 * the sync) are matched in batches: blocking keys stored in an indexed table, candidates found by an
 * equality join in SQL, pairs scored by the trained model, and each record linked to a person (or a new
 * one) under the rules in link-decision.ts. One transaction per batch; an advisory lock keeps a single
 * writer across hub instances, so a crash loses at most the batch in progress, which stays pending.
 */
@Injectable()
export class IdentityIndexService {
  private readonly logger = new Logger(IdentityIndexService.name);
  private matcher?: IdentityMatcher;
  /**
   * Records prepared for matching (normalised, phonetic codes, address weights) by id and change number, for
   * the model in use: the same neighbours come back as candidates batch after batch, and preparing them
   * again cost a quarter of a small batch. A changed record has a new change number, so it is prepared again.
   */
  private readonly prepared = new LRUCache<string, PreparedRecord>({ max: PREPARED_CACHE_SIZE });
  private preparedBy?: IdentityMatcher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    // Records matched and review pairs opened, batch by batch (docs/monitoring.md).
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  /** The active model: the newest stored one, else one trained now on the source records. */
  async model(): Promise<IdentityMatcher | undefined> {
    if (this.matcher) return this.matcher;
    const [stored] = await this.dataSource.query('select model from matching_model order by id desc limit 1');
    if (stored) return (this.matcher = IdentityMatcher.fromJSON(stored.model as MatcherJson));
    return this.train();
  }

  /** Trains a model on (a sample of) the live source records and stores it; later matching uses it. */
  async train(): Promise<IdentityMatcher | undefined> {
    const rows: { id: string; source: string; demographics: StoredRecord['fields'] }[] = await this.dataSource.query(
      `select id::text, source, demographics from source_record where not deleted
        order by md5(id::text) limit $1`,
      [TRAINING_SAMPLE],
    );
    if (rows.length < MIN_TRAINING_RECORDS) return undefined;
    const matcher = IdentityMatcher.train(
      rows.map((r) => ({ id: r.id, source: r.source, fields: r.demographics ?? {} })),
    );
    await this.dataSource.transaction(async (db) => {
      await db.query('insert into matching_model (trained_on, model) values ($1, $2)', [
        rows.length,
        JSON.stringify(matcher.toJSON()),
      ]);
      // Reported births are blocked again by the new model (at the next batch).
      await new PersonIndexStore(db).forgetReportedBlockKeys();
    });
    this.logger.log(`trained the matching model on ${rows.length} records`);
    this.matcher = matcher;
    return matcher;
  }

  /** Matches every pending record; returns what it did. `onProgress` is called after each batch. */
  async matchPending(
    options: { batchSize?: number; onProgress?: (done: number) => void } = {},
  ): Promise<MatchRunSummary> {
    const started = performance.now();
    const summary: MatchRunSummary = {
      processed: 0,
      linked: 0,
      newPersons: 0,
      reviewsOpened: 0,
      deleted: 0,
      seconds: 0,
    };
    const matcher = await this.model();
    if (!matcher) return summary;
    for (;;) {
      const batch = await this.dataSource.transaction((db) => this.matchBatch(db, matcher, options.batchSize ?? 1000));
      if (batch.processed === 0) break;
      this.metrics.matchingBatch(batch);
      for (const key of ['processed', 'linked', 'newPersons', 'reviewsOpened', 'deleted'] as const)
        summary[key] += batch[key];
      options.onProgress?.(summary.processed);
    }
    summary.seconds = Math.round(performance.now() - started) / 1000;
    return summary;
  }

  async pendingCount(): Promise<number> {
    const [{ count }] = await this.dataSource.query(
      `select count(*)::int as count from source_record where match_status = 'pending'`,
    );
    return count;
  }

  /** Puts every live record back in the queue, e.g. after retraining; decisions and stable ids survive. */
  async requeueAll(): Promise<number> {
    const result = await this.dataSource.query(
      `update source_record set match_status = 'pending' where match_status <> 'pending'`,
    );
    return result[1] ?? 0;
  }

  private async matchBatch(db: EntityManager, matcher: IdentityMatcher, size: number): Promise<MatchRunSummary> {
    const store = new PersonIndexStore(db);
    await store.lock();
    // Children reported born since the last batch are blocked now; the records they may be are matched again.
    await this.keyReportedBirths(store, matcher);
    const batch = await store.pendingBatch(size);
    const summary: MatchRunSummary = {
      processed: batch.length,
      linked: 0,
      newPersons: 0,
      reviewsOpened: 0,
      deleted: 0,
      seconds: 0,
    };
    if (batch.length === 0) return summary;
    const live = batch.filter((r) => !r.deleted);
    summary.deleted = batch.length - live.length;

    const prepared = new Map<string, PreparedRecord>(live.map((r) => [r.id, this.prepare(matcher, r)]));
    const keys = live.flatMap((r) => matcher.blockingKeys(prepared.get(r.id)!).map((k) => ({ recordId: r.id, ...k })));
    await store.replaceBlockKeys(
      batch.map((r) => r.id),
      keys,
    );
    const maxBlockSize = matcher.model.config.blocking.maxBlockSize;
    const pairs = await store.candidatePairs(
      live.map((r) => r.id),
      maxBlockSize,
    );
    // Children reported born are candidates too, found by the same blocking keys (reported-records.ts).
    const reportedPairs = await store.reportedCandidatePairs(
      live.map((r) => r.id),
      maxBlockSize,
    );
    const reportedCandidates = await store.reportedRecords(
      reportedPairs.map((p) => p.b),
      [],
    );

    const state = await this.loadState(
      store,
      [...live.map((r) => r.id), ...pairs.map((p) => p.b)],
      reportedCandidates.map((r) => r.personId),
    );
    const reportedEvents = new Map<string, string>();
    // Every reported birth of the persons in play is one of their records: a record joins a person only if
    // it is consistent with all of them, the reported identity included.
    for (const reported of await store.reportedRecords(
      reportedCandidates.map((r) => r.id),
      [...new Set(state.personOf.values())],
    )) {
      reportedEvents.set(reported.id, reported.eventId);
      state.link(reported.id, reported.personId);
      prepared.set(reported.id, matcher.prepare(asMatchRecord(reported)));
    }
    await this.prepareMissing(store, matcher, prepared, [...state.personOf.keys()]);
    const candidatesOf = new Map<string, Set<string>>();
    for (const { a, b } of [...pairs, ...reportedPairs])
      if (prepared.has(b)) candidatesOf.set(a, (candidatesOf.get(a) ?? new Set()).add(b));

    const links: LinkRow[] = [];
    const reviews = new Map<string, ReviewRow>();
    const newPersons: string[] = [];
    const merges: { from: string; into: string }[] = [];
    for (const record of live) {
      const scores = this.scoreAgainst(matcher, record.id, candidatesOf.get(record.id) ?? new Set(), state, prepared);
      const mine = prepared.get(record.id)!;
      const decision = decideLink(record.id, scores, state, matcher.model.reviewWeight, {
        judge: (a, b) => matcher.scorePair(prepared.get(a)!, prepared.get(b)!),
        holds: (negative) => holdsDistinguishingField(mine, negative),
      });
      let personId: string;
      if (decision.action === 'keep') personId = decision.personId;
      else if (decision.action === 'new') {
        personId = randomUUID();
        newPersons.push(personId);
        links.push({
          recordId: record.id,
          personId,
          weight: null,
          probability: null,
          method: 'new',
          decidedBy: 'matcher',
          explanation: null,
        });
        summary.newPersons++;
      } else {
        personId = decision.personId;
        const method = decision.manual
          ? 'manual'
          : decision.score.method === 'deterministic'
            ? 'deterministic'
            : 'auto';
        links.push({
          recordId: record.id,
          personId,
          weight: decision.score.weight,
          probability: decision.score.probability,
          method,
          decidedBy: 'matcher',
          explanation: {
            via: decision.via,
            // Linked through a child reported born: the life event that reported them.
            ...(isReportedRecord(decision.via) ? { viaReportedEvent: reportedEvents.get(decision.via) } : {}),
            ...decision.score,
          },
        });
        if (decision.emptied) merges.push({ from: decision.emptied, into: personId });
        summary.linked++;
      }
      state.link(record.id, personId);
      for (const review of decision.reviews) {
        if (state.personOf.get(review.other) === personId) continue;
        const [a, b] = pairKey(record.id, review.other).split('|');
        reviews.set(`${a}|${b}`, {
          a,
          b,
          weight: review.score.weight,
          probability: review.score.probability,
          reason: review.reason,
          explanation: review.score,
        });
      }
    }
    await store.createPersons(newPersons);
    await store.upsertLinks(links);
    await store.mergePersons(merges);
    summary.reviewsOpened = await store.addReviews([...reviews.values()]);
    await store.supersedeSettledReviews(live.map((r) => r.id));
    await store.markMatched(batch);
    return summary;
  }

  /**
   * Computes the blocking keys of reported births that have none with this model, and puts the records
   * sharing one back in the queue: a source may have sent the child's record before the birth was
   * reported, and that record, alone in a person of its own, then moves to the reported child (the usual
   * rule for a record alone in its person that links elsewhere).
   */
  private async keyReportedBirths(store: PersonIndexStore, matcher: IdentityMatcher): Promise<void> {
    const unkeyed = await store.unkeyedReportedBirths();
    if (unkeyed.length === 0) return;
    const ids = unkeyed.map((r) => r.id);
    await store.replaceReportedBlockKeys(
      ids,
      unkeyed.flatMap((r) =>
        matcher.blockingKeys(matcher.prepare(asMatchRecord(r))).map((k) => ({ recordId: r.id, ...k })),
      ),
    );
    await store.requeueRecordsSharingKeys(ids, matcher.model.config.blocking.maxBlockSize);
  }

  /**
   * Links and decisions around these records: their persons, those persons' live records (and those of
   * `personIds`, the persons of reported births in play), constraints.
   */
  private async loadState(store: PersonIndexStore, recordIds: string[], personIds: string[] = []): Promise<IndexState> {
    const ids = [...new Set(recordIds)];
    const state = new IndexState();
    for (const link of [...(await store.linksAround(ids)), ...(await store.linksOfPersons([...new Set(personIds)]))]) {
      state.link(link.recordId, link.personId);
      if (link.manual) state.manual.add(link.recordId);
    }
    for (const c of await store.constraintsFor(ids)) state.constraints.set(pairKey(c.a, c.b), c.kind);
    return state;
  }

  private async prepareMissing(
    store: PersonIndexStore,
    matcher: IdentityMatcher,
    prepared: Map<string, PreparedRecord>,
    ids: string[],
  ) {
    const missing = ids.filter((id) => !prepared.has(id));
    for (const record of await store.records(missing))
      if (!record.deleted) prepared.set(record.id, this.prepare(matcher, record));
  }

  private prepare(matcher: IdentityMatcher, record: StoredRecord): PreparedRecord {
    if (this.preparedBy !== matcher) {
      this.prepared.clear();
      this.preparedBy = matcher;
    }
    const key = `${record.id}@${record.changeSeq}`;
    let prepared = this.prepared.get(key);
    if (!prepared) this.prepared.set(key, (prepared = matcher.prepare(record)));
    return prepared;
  }

  /** Scores the record against its candidates and every live record of their persons and of its own. */
  private scoreAgainst(
    matcher: IdentityMatcher,
    recordId: string,
    candidates: Set<string>,
    state: IndexState,
    prepared: Map<string, PreparedRecord>,
  ): Map<string, PairScore> {
    const others = new Set<string>(candidates);
    for (const id of [...candidates, recordId]) {
      const person = state.personOf.get(id);
      if (person) for (const member of state.membersOf.get(person) ?? []) others.add(member);
    }
    others.delete(recordId);
    const mine = prepared.get(recordId)!;
    const scores = new Map<string, PairScore>();
    for (const other of others) {
      const theirs = prepared.get(other);
      if (theirs) scores.set(other, matcher.scorePair(mine, theirs));
    }
    return scores;
  }
}

/** A reported birth as the matcher takes a record: the hub's own, with what the life event reported. */
function asMatchRecord(reported: ReportedRecord): MatchRecord {
  return { id: reported.id, source: REPORTED_SOURCE, fields: reported.fields };
}
