import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { invalidRecord, recordNotFound } from '../../engine/access.exception';
import { asInputError } from '../db-errors';
import { vagueTextProblem } from '../meaningful-text';
import { ConsentFact, ConsentStatus, ObjectionFact, ObjectionKind, Scope } from '../policy/policy.types';
import { mergedIdsCte } from '../../identity/directory/person-directory.service';
import { resolvePerson, ResolvedPerson } from '../relationships/person-survivor';
import { ConsentEntity } from './consent.entity';
import { EVIDENCE_FORMAT, evidenceProblem } from './evidence-reference';
import { ObjectionEntity } from './objection.entity';
import { RecordingStanding, Standing } from './recording-standing';

export interface ConsentInput extends Scope {
  personId: string;
  status: ConsentStatus;
  /** SYSTEM:REFERENCE of the signed form, letter or call note (see evidence-reference.ts). */
  evidence: string;
  validFrom?: Date;
  validTo?: Date;
  /** A break-glass grant of the recorder's for this person, where they hold no case for them. */
  breakGlassId?: string;
}

export interface ObjectionInput extends Scope {
  personId: string;
  kind: ObjectionKind;
  reason: string;
  /** SYSTEM:REFERENCE of the letter, form or call note the request came in. */
  evidence: string;
  validFrom?: Date;
  breakGlassId?: string;
}

/** Different words an objection's reason needs: the grounds the person gave, in a sentence. */
export const OBJECTION_REASON_MIN_WORDS = 4;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refused here as recording refuses it: anything else reached PostgreSQL's uuid column and failed there as an internal error. */
function personIdOf(id: string): string {
  if (!uuid.test(id)) throw invalidRecord('personId must be a person id (UUID)');
  return id;
}

/**
 * Consent and objections per person. A consent change is a new record (given, refused or withdrawn),
 * never an edit, so the history stays; an objection or restriction stands until it is lifted, with who
 * lifted it and why. Every record is audited in the same transaction.
 */
@Injectable()
export class ConsentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly standing: RecordingStanding,
  ) {}

  consents(personId: string): Promise<ConsentEntity[]> {
    return this.dataSource
      .getRepository(ConsentEntity)
      .find({ where: { personId: personIdOf(personId) }, order: { recordedAt: 'DESC' } });
  }

  objections(personId: string): Promise<ObjectionEntity[]> {
    return this.dataSource
      .getRepository(ObjectionEntity)
      .find({ where: { personId: personIdOf(personId) }, order: { recordedAt: 'DESC' } });
  }

  /**
   * A consent record, for the person the id stands for (a merged id's survivor), by someone entitled to
   * record it (RecordingStanding), with a reference to its evidence.
   */
  async recordConsent(input: ConsentInput, actor: Principal): Promise<ConsentEntity> {
    const evidence = checkEvidence(input.evidence, 'Consent');
    const validFrom = input.validFrom ?? new Date();
    if (input.validTo && input.validTo <= validFrom) throw invalidRecord('validTo must be after validFrom');
    const person = await resolvePerson(this.dataSource.manager, input.personId);
    const standing = await this.standing.check(actor, person, {
      operation: 'consent.record',
      breakGlassId: input.breakGlassId,
      ...(input.status === 'given' ? { widensFor: input.purpose ?? null } : {}),
    });
    return asInputError(
      () =>
        this.dataSource.transaction(async (tx) => {
          const repo = tx.getRepository(ConsentEntity);
          const saved = await repo.save(
            repo.create({
              ...scopeColumns(input),
              personId: person.personId,
              status: input.status,
              evidence,
              recordedBy: actor.subject,
              validFrom,
              validTo: input.validTo ?? null,
            }),
          );
          await this.audit.record(
            {
              actor,
              operation: 'consent.record',
              subjects: { persons: [person.personId] },
              decision: 'change',
              purpose: input.purpose,
              justification: justification(standing),
              detail: {
                consentId: saved.id,
                status: saved.status,
                scope: scopeColumns(input),
                ...recorder(actor, standing, person),
              },
            },
            tx,
          );
          return saved;
        }),
      'The consent cannot be recorded',
    );
  }

  /**
   * An objection (Art. 21) or restriction (Art. 18). Recorded by the DPO, it stands as asked. Recorded by
   * staff, it stops processing at once but as a restriction, pending the DPO's review (Art. 18(1)(d):
   * processing is restricted while an objection is considered); the DPO then confirms it as asked or
   * dismisses it (ObjectionReviewsService).
   */
  async recordObjection(input: ObjectionInput, actor: Principal): Promise<ObjectionEntity> {
    const reason = input.reason?.trim() ?? '';
    const vague = vagueTextProblem(reason, OBJECTION_REASON_MIN_WORDS);
    if (vague || reason.length > 2000) {
      throw invalidRecord(
        `An objection or restriction needs the grounds the person gave, in up to 2000 characters: ${vague ?? 'it is too long'}`,
      );
    }
    const evidence = checkEvidence(input.evidence, 'An objection or restriction');
    const person = await resolvePerson(this.dataSource.manager, input.personId);
    const standing = await this.standing.check(actor, person, {
      operation: 'objection.record',
      breakGlassId: input.breakGlassId,
    });
    const reviewed = standing.kind !== 'dpo';
    return asInputError(
      () =>
        this.dataSource.transaction(async (tx) => {
          const repo = tx.getRepository(ObjectionEntity);
          const saved = await repo.save(
            repo.create({
              ...scopeColumns(input),
              personId: person.personId,
              kind: reviewed ? 'restriction' : input.kind,
              requestedKind: input.kind,
              reason,
              evidence,
              recordedBy: actor.subject,
              validFrom: input.validFrom ?? new Date(),
              reviewStatus: reviewed ? 'pending' : null,
            }),
          );
          await this.audit.record(
            {
              actor,
              operation: 'objection.record',
              subjects: { persons: [person.personId] },
              decision: 'change',
              justification: justification(standing),
              detail: {
                objectionId: saved.id,
                kind: saved.kind,
                requestedKind: saved.requestedKind,
                reviewStatus: saved.reviewStatus,
                scope: scopeColumns(input),
                ...recorder(actor, standing, person),
              },
            },
            tx,
          );
          return saved;
        }),
      'The objection cannot be recorded',
    );
  }

  async liftObjection(id: string, reason: string, actor: Principal): Promise<ObjectionEntity> {
    if (!reason?.trim()) throw invalidRecord('Lifting an objection or restriction needs a reason');
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(ObjectionEntity);
      const objection = uuid.test(id)
        ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!objection) throw recordNotFound(`No objection ${id}`);
      if (objection.liftedAt) throw invalidRecord(`Objection ${id} was already lifted`);
      if (objection.reviewStatus === 'pending')
        throw invalidRecord(`Objection ${id} awaits review: confirm or dismiss it (reviewObjection)`);
      await repo.update({ id }, { liftedAt: new Date(), liftedBy: actor.subject, liftedReason: reason.trim() });
      await this.audit.record(
        {
          actor,
          operation: 'objection.lift',
          subjects: { persons: [objection.personId] },
          decision: 'change',
          reasons: [reason.trim()],
          detail: { objectionId: id },
        },
        tx,
      );
      return repo.findOneByOrFail({ id });
    });
  }

  /** Consent and objection facts for the decision point, in one round trip. */
  async factsFor(personIds: string[]): Promise<{ consents: ConsentFact[]; objections: ObjectionFact[] }> {
    if (personIds.length === 0) return { consents: [], objections: [] };
    const rows = await preparedQuery<FactRow>(
      this.dataSource,
      // An objection or restriction recorded against an id later merged into this person still stands: the
      // merge says they are one human being. Consent is not carried over: it may only open what was agreed.
      `with recursive ${mergedIdsCte('merged', '$1')}
       select 'consent' as fact, id::text, person_id::text, status as state, purpose, recipient_organisation, source, valid_from, valid_to as ends, recorded_at
         from consent where person_id = any($1::uuid[])
       union all
       select 'objection', o.id::text, m.survivor::text, o.kind, o.purpose, o.recipient_organisation, o.source, o.valid_from, o.lifted_at, o.recorded_at
         from objection o join merged m on o.person_id = m.id`,
      [personIds],
    );
    const consents: ConsentFact[] = [];
    const objections: ObjectionFact[] = [];
    for (const row of rows) {
      const scope = scopeFact(row);
      if (row.fact === 'consent') {
        consents.push({
          id: row.id,
          personId: row.person_id,
          status: row.state as ConsentStatus,
          ...scope,
          validFrom: row.valid_from,
          validTo: row.ends ?? undefined,
          recordedAt: row.recorded_at,
        });
      } else {
        objections.push({
          id: row.id,
          personId: row.person_id,
          kind: row.state as ObjectionKind,
          ...scope,
          validFrom: row.valid_from,
          liftedAt: row.ends ?? undefined,
        });
      }
    }
    return { consents, objections };
  }
}

interface FactRow {
  fact: 'consent' | 'objection';
  id: string;
  person_id: string;
  state: string;
  purpose: string | null;
  recipient_organisation: string | null;
  source: string | null;
  valid_from: Date;
  ends: Date | null;
  recorded_at: Date;
}

function checkEvidence(evidence: string, what: string): string {
  const problem = evidenceProblem(evidence);
  if (problem) throw invalidRecord(`${what} needs evidence as a reference (${problem}): ${EVIDENCE_FORMAT}`);
  return evidence.trim();
}

function justification(standing: Standing) {
  if (standing.kind === 'case') return { relationshipId: standing.assignmentId };
  if (standing.kind === 'break-glass') return { breakGlassId: standing.grantId };
  return undefined;
}

/** Who recorded it and on what standing, in every record's audit event. */
function recorder(actor: Principal, standing: Standing, person: ResolvedPerson) {
  return {
    recordedBy: actor.subject,
    standing: standing.kind,
    ...(person.mergedFrom ? { askedPersonId: person.mergedFrom } : {}),
  };
}

function scopeColumns(scope: Scope) {
  return {
    purpose: scope.purpose ?? null,
    recipientOrganisation: scope.recipientOrganisation ?? null,
    source: scope.source ?? null,
  };
}

function scopeFact(row: {
  purpose: string | null;
  recipient_organisation: string | null;
  source: string | null;
}): Scope {
  return {
    ...(row.purpose ? { purpose: row.purpose } : {}),
    ...(row.recipient_organisation ? { recipientOrganisation: row.recipient_organisation } : {}),
    ...(row.source ? { source: row.source } : {}),
  };
}
