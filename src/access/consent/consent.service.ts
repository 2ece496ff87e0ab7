import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { AuditRecorder } from '../../audit/audit-recorder';
import { Principal } from '../../auth/principal';
import { invalidRecord, recordNotFound } from '../access.exception';
import { asInputError } from '../db-errors';
import { ConsentFact, ConsentStatus, ObjectionFact, ObjectionKind, Scope } from '../policy/policy.types';
import { ConsentEntity } from './consent.entity';
import { ObjectionEntity } from './objection.entity';

export interface ConsentInput extends Scope {
  personId: string;
  status: ConsentStatus;
  evidence: string;
  validFrom?: Date;
  validTo?: Date;
}

export interface ObjectionInput extends Scope {
  personId: string;
  kind: ObjectionKind;
  reason: string;
  validFrom?: Date;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  ) {}

  consents(personId: string): Promise<ConsentEntity[]> {
    return this.dataSource.getRepository(ConsentEntity).find({ where: { personId }, order: { recordedAt: 'DESC' } });
  }

  objections(personId: string): Promise<ObjectionEntity[]> {
    return this.dataSource.getRepository(ObjectionEntity).find({ where: { personId }, order: { recordedAt: 'DESC' } });
  }

  async recordConsent(input: ConsentInput, actor: Principal): Promise<ConsentEntity> {
    checkPerson(input.personId);
    if (!input.evidence?.trim()) throw invalidRecord('Consent needs evidence: where and how it was given, refused or withdrawn');
    const validFrom = input.validFrom ?? new Date();
    if (input.validTo && input.validTo <= validFrom) throw invalidRecord('validTo must be after validFrom');
    return asInputError(() => this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(ConsentEntity);
      const saved = await repo.save(
        repo.create({ ...scopeColumns(input), personId: input.personId, status: input.status, evidence: input.evidence.trim(), recordedBy: actor.subject, validFrom, validTo: input.validTo ?? null }),
      );
      await this.audit.record(
        { actor, operation: 'consent.record', subjects: { persons: [input.personId] }, decision: 'change', purpose: input.purpose, detail: { consentId: saved.id, status: saved.status, scope: scopeColumns(input) } },
        tx,
      );
      return saved;
    }), 'The consent cannot be recorded');
  }

  async recordObjection(input: ObjectionInput, actor: Principal): Promise<ObjectionEntity> {
    checkPerson(input.personId);
    if (!input.reason?.trim()) throw invalidRecord('An objection or restriction needs the reason the person gave');
    return asInputError(() => this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(ObjectionEntity);
      const saved = await repo.save(
        repo.create({ ...scopeColumns(input), personId: input.personId, kind: input.kind, reason: input.reason.trim(), recordedBy: actor.subject, validFrom: input.validFrom ?? new Date() }),
      );
      await this.audit.record(
        { actor, operation: 'objection.record', subjects: { persons: [input.personId] }, decision: 'change', detail: { objectionId: saved.id, kind: saved.kind, scope: scopeColumns(input) } },
        tx,
      );
      return saved;
    }), 'The objection cannot be recorded');
  }

  async liftObjection(id: string, reason: string, actor: Principal): Promise<ObjectionEntity> {
    if (!reason?.trim()) throw invalidRecord('Lifting an objection or restriction needs a reason');
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(ObjectionEntity);
      const objection = uuid.test(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!objection) throw recordNotFound(`No objection ${id}`);
      if (objection.liftedAt) throw invalidRecord(`Objection ${id} was already lifted`);
      await repo.update({ id }, { liftedAt: new Date(), liftedBy: actor.subject, liftedReason: reason.trim() });
      await this.audit.record(
        { actor, operation: 'objection.lift', subjects: { persons: [objection.personId] }, decision: 'change', reasons: [reason.trim()], detail: { objectionId: id } },
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
      `select 'consent' as fact, id::text, person_id::text, status as state, purpose, recipient_organisation, source, valid_from, valid_to as ends, recorded_at
         from consent where person_id = any($1::uuid[])
       union all
       select 'objection', id::text, person_id::text, kind, purpose, recipient_organisation, source, valid_from, lifted_at, recorded_at
         from objection where person_id = any($1::uuid[])`,
      [personIds],
    );
    const consents: ConsentFact[] = [];
    const objections: ObjectionFact[] = [];
    for (const row of rows) {
      const scope = scopeFact(row);
      if (row.fact === 'consent') {
        consents.push({ id: row.id, personId: row.person_id, status: row.state as ConsentStatus, ...scope, validFrom: row.valid_from, validTo: row.ends ?? undefined, recordedAt: row.recorded_at });
      } else {
        objections.push({ id: row.id, personId: row.person_id, kind: row.state as ObjectionKind, ...scope, validFrom: row.valid_from, liftedAt: row.ends ?? undefined });
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

function checkPerson(personId: string): void {
  if (!uuid.test(personId)) throw invalidRecord('personId must be a person id (UUID)');
}

function scopeColumns(scope: Scope) {
  return { purpose: scope.purpose ?? null, recipientOrganisation: scope.recipientOrganisation ?? null, source: scope.source ?? null };
}

function scopeFact(row: { purpose: string | null; recipient_organisation: string | null; source: string | null }): Scope {
  return {
    ...(row.purpose ? { purpose: row.purpose } : {}),
    ...(row.recipient_organisation ? { recipientOrganisation: row.recipient_organisation } : {}),
    ...(row.source ? { source: row.source } : {}),
  };
}
