import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { IdentityErrorCode, IdentityException } from '../identity.exception';
import { PersonIndexStore } from '../index/person-index.store';
import { isReportedRecord } from '../index/reported-records';
import { DecisionSteps } from './decision-steps';
import { IdentifierAgreement } from './identifier-agreement';
import { MergeRequest, MergeRequestStatus, MergeRequestStore } from './merge-requests.store';

/** What a decision that may merge two persons did: merged them (`personId`), or asked a second steward. */
export interface PersonDecision {
  personId?: string;
  /** Set when the merge waits for a second steward's approval; nothing was merged. */
  mergeRequest?: MergeRequest;
}

/**
 * A data steward's decisions on the person index: accept or reject a review item, merge two persons,
 * split a record out. Each is one transaction with its audit event, under the index lock, and leaves a
 * `same` / `different` decision and manual links that every later re-matching respects.
 *
 * A merge hands one person's records to whoever may see the other, so one steward alone may merge two
 * persons only where their own records agree on a NINO or NHS number (`identifierAgreement`). Any other
 * merge, by `merge` or by accepting a review item that would join two persons, becomes a merge request
 * that changes nothing until a second steward approves it; the one who asked cannot approve it.
 */
@Injectable()
export class IdentityDecisionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  async acceptReview(reviewId: string, actor: Principal, note?: string): Promise<PersonDecision> {
    return this.decide(async (steps) => {
      const review = await steps.pendingReview(reviewId);
      const [a, b] = await steps.personsOf(review);
      let agreeing: IdentifierAgreement['agreeing'];
      if (a && b && a !== b) {
        const [survivorId, mergedId] = await steps.survivorFirst(a, b);
        const agreement = await steps.agreementOf(survivorId, mergedId);
        if (!agreement.agreeing)
          return this.requestMerge(
            steps,
            { survivorId, mergedId, reviewId, reason: note || 'review item accepted' },
            agreement,
            actor,
          );
        agreeing = agreement.agreeing;
      }
      const personId = await steps.accept(reviewId, review, actor, note);
      await this.audit.record(
        {
          actor,
          operation: 'identity.review.accept',
          subjects: { persons: [personId, a, b].filter(unique) },
          decision: 'change',
          reasons: note ? [note] : [],
          detail: {
            reviewId,
            records: [review.record_a, review.record_b],
            ...(agreeing ? { agreeingIdentifier: agreeing } : {}),
          },
        },
        steps.db,
      );
      return { personId };
    });
  }

  async rejectReview(reviewId: string, actor: Principal, note?: string): Promise<{ splitPersonId?: string }> {
    return this.decide(async (steps) => {
      const review = await steps.pendingReview(reviewId);
      await steps.constrain(review.record_a, review.record_b, 'different', actor, note);
      const [a, b] = await steps.personsOf(review);
      // Already one person (linked through other records): the newer record leaves it.
      // (A reported identity stays with its person: the source record leaves instead.)
      const leaving = isReportedRecord(review.record_b) ? review.record_a : review.record_b;
      const splitPersonId = a && a === b ? await steps.splitOut(leaving, a, actor) : undefined;
      await steps.closeReview(reviewId, 'rejected', actor, note);
      // A merge asked for by accepting this item is answered by its rejection.
      const requests = new MergeRequestStore(steps.db);
      const open = await requests.openForReview(reviewId);
      if (open) await requests.close(open.id, 'rejected', actor, note || 'review item rejected');
      await this.audit.record(
        {
          actor,
          operation: 'identity.review.reject',
          subjects: { persons: [a, b, splitPersonId].filter(unique) },
          decision: 'change',
          reasons: note ? [note] : [],
          detail: {
            reviewId,
            records: [review.record_a, review.record_b],
            ...(open ? { mergeRequestId: open.id } : {}),
          },
        },
        steps.db,
      );
      return { splitPersonId };
    });
  }

  /**
   * Merges `mergedId` into `survivorId` (its records move, and its id points to the survivor from now on)
   * when their records agree on a NINO or NHS number; otherwise asks a second steward and merges nothing.
   */
  async merge(survivorId: string, mergedId: string, actor: Principal, reason: string): Promise<PersonDecision> {
    // The reason is the audit event's: an empty one would make an event the trail refuses.
    if (!reason.trim()) throw new IdentityException(IdentityErrorCode.INVALID_MERGE, 'A merge needs a reason');
    return this.decide(async (steps) => {
      if (survivorId === mergedId)
        throw new IdentityException(IdentityErrorCode.INVALID_MERGE, 'A person cannot be merged with itself');
      for (const id of [survivorId, mergedId]) await steps.activePerson(id);
      await steps.refuseContradiction(survivorId, mergedId);
      const agreement = await steps.agreementOf(survivorId, mergedId);
      if (!agreement.agreeing) return this.requestMerge(steps, { survivorId, mergedId, reason }, agreement, actor);
      await steps.mergeInto(survivorId, mergedId, actor);
      await this.audit.record(
        {
          actor,
          operation: 'identity.merge',
          subjects: { persons: [survivorId, mergedId] },
          decision: 'change',
          reasons: [reason],
          detail: { agreeingIdentifier: agreement.agreeing },
        },
        steps.db,
      );
      return { personId: survivorId };
    });
  }

  /**
   * A second steward's approval: the merge (or the review item's acceptance) is carried out as asked, if
   * the persons and records are still as they were. The steward who asked is refused, and the attempt is
   * recorded.
   */
  async approveMerge(requestId: string, actor: Principal, note?: string): Promise<PersonDecision> {
    try {
      return await this.decide(async (steps) => {
        const requests = new MergeRequestStore(steps.db);
        const request = await requests.pending(requestId);
        if (request.requestedBy === actor.subject) {
          throw new IdentityException(
            IdentityErrorCode.SELF_APPROVAL,
            'A merge needs a second data steward: the one who asked for it cannot approve it',
          );
        }
        const { survivorId, mergedId, reviewId } = request;
        for (const id of [survivorId, mergedId]) await steps.activePerson(id, IdentityErrorCode.MERGE_STALE);
        if (reviewId) {
          const review = await steps.pendingReview(reviewId);
          const persons = await steps.personsOf(review);
          if (!persons.includes(survivorId) || !persons.includes(mergedId)) {
            throw new IdentityException(
              IdentityErrorCode.MERGE_STALE,
              'The records of the review item have moved since the merge was asked for; reject the request and decide the item again',
            );
          }
          await steps.accept(reviewId, review, actor, note || request.reason, [survivorId, mergedId]);
        } else {
          await steps.refuseContradiction(survivorId, mergedId);
          await steps.mergeInto(survivorId, mergedId, actor);
        }
        await requests.close(request.id, 'approved', actor, note);
        await this.audit.record(
          {
            actor,
            operation: 'identity.merge.approve',
            subjects: { persons: [survivorId, mergedId] },
            decision: 'change',
            reasons: [request.reason, ...(note ? [note] : [])],
            detail: { mergeRequestId: request.id, requestedBy: request.requestedBy, ...(reviewId ? { reviewId } : {}) },
          },
          steps.db,
        );
        return { personId: survivorId };
      });
    } catch (error) {
      if (error instanceof IdentityException && error.code === IdentityErrorCode.SELF_APPROVAL)
        await this.recordSelfApproval(requestId, actor);
      throw error;
    }
  }

  /** A steward's refusal of a merge request (the one who asked may withdraw it): nothing is merged. */
  async rejectMerge(requestId: string, actor: Principal, note?: string): Promise<MergeRequest> {
    return this.decide(async (steps) => {
      const requests = new MergeRequestStore(steps.db);
      const request = await requests.pending(requestId);
      const closed = await requests.close(request.id, 'rejected', actor, note);
      await this.audit.record(
        {
          actor,
          operation: 'identity.merge.reject',
          subjects: { persons: [request.survivorId, request.mergedId] },
          decision: 'change',
          reasons: note ? [note] : [],
          detail: {
            mergeRequestId: request.id,
            requestedBy: request.requestedBy,
            ...(request.reviewId ? { reviewId: request.reviewId } : {}),
          },
        },
        steps.db,
      );
      return closed;
    });
  }

  /** Merge requests in a status, oldest first. */
  mergeRequests(status: MergeRequestStatus, first: number): Promise<MergeRequest[]> {
    return new MergeRequestStore(this.dataSource.manager).list(status, Math.min(Math.max(first, 1), 200));
  }

  /** Moves one source record out of its person into a new person of its own, for good. */
  async split(sourceRecordId: string, actor: Principal, reason: string): Promise<{ personId: string }> {
    if (!reason.trim()) throw new IdentityException(IdentityErrorCode.INVALID_SPLIT, 'A split needs a reason');
    return this.decide(async (steps) => {
      // A source record id is a bigint: more digits than it holds failed in PostgreSQL as an internal error.
      if (!/^\d{1,18}$/.test(sourceRecordId))
        throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No source record ${sourceRecordId}`);
      const personId = await steps.personOf(sourceRecordId);
      if (!personId)
        throw new IdentityException(
          IdentityErrorCode.NOT_FOUND,
          `Source record ${sourceRecordId} is not linked to a person`,
        );
      const personIdNew = await steps.splitOut(sourceRecordId, personId, actor);
      if (!personIdNew)
        throw new IdentityException(
          IdentityErrorCode.INVALID_SPLIT,
          'The record is the only one of its person; there is nothing to split from',
        );
      await this.audit.record(
        {
          actor,
          operation: 'identity.split',
          subjects: { persons: [personId, personIdNew] },
          decision: 'change',
          reasons: [reason],
          detail: { record: sourceRecordId },
        },
        steps.db,
      );
      return { personId: personIdNew };
    });
  }

  private decide<T>(work: (steps: DecisionSteps) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      const store = new PersonIndexStore(db);
      await store.lock();
      return work(new DecisionSteps(db, store));
    });
  }

  /** Opens a merge request instead of merging: nothing about the persons changes until it is approved. */
  private async requestMerge(
    steps: DecisionSteps,
    request: { survivorId: string; mergedId: string; reviewId?: string; reason: string },
    agreement: IdentifierAgreement,
    actor: Principal,
  ): Promise<PersonDecision> {
    const requests = new MergeRequestStore(steps.db);
    const open =
      (await requests.openForPair(request.survivorId, request.mergedId)) ??
      (request.reviewId ? await requests.openForReview(request.reviewId) : undefined);
    if (open) {
      throw new IdentityException(
        IdentityErrorCode.MERGE_ALREADY_REQUESTED,
        `Merge request ${open.id} already waits for a second data steward`,
        { mergeRequestId: open.id },
      );
    }
    const mergeRequest = await requests.create(request, actor);
    await this.audit.record(
      {
        actor,
        operation: 'identity.merge.request',
        subjects: { persons: [request.survivorId, request.mergedId] },
        decision: 'change',
        reasons: [request.reason],
        detail: {
          mergeRequestId: mergeRequest.id,
          ...(request.reviewId ? { reviewId: request.reviewId } : {}),
          why: agreement.conflicting.length
            ? `their records disagree on ${agreement.conflicting.join(' and ')}`
            : 'no NINO or NHS number held by both',
        },
      },
      steps.db,
    );
    return { mergeRequest };
  }

  /** Recorded on its own: the approval's transaction, and anything it wrote, is rolled back. */
  private async recordSelfApproval(requestId: string, actor: Principal): Promise<void> {
    const request = await new MergeRequestStore(this.dataSource.manager).find(requestId);
    await this.audit.record({
      actor,
      operation: 'identity.merge.approve',
      subjects: { persons: [request.survivorId, request.mergedId] },
      decision: 'deny',
      reasons: ['the data steward who asked for a merge cannot approve it'],
      detail: { mergeRequestId: request.id, requestedBy: request.requestedBy },
    });
  }
}

function unique(value: string | undefined, index: number, all: (string | undefined)[]): value is string {
  return value !== undefined && all.indexOf(value) === index;
}
