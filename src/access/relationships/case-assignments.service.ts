import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { invalidRecord, recordNotFound } from '../../engine/access.exception';
import { asInputError } from '../db-errors';
import { CaseAssignmentFact, HouseholdMembershipFact } from '../policy/policy.types';
import { CaseAssignmentEntity } from './case-assignment.entity';

export interface CaseAssignmentInput {
  subjectKind: 'person' | 'household';
  subjectId: string;
  team: string;
  /** The organisation whose team (or user) holds the case; the assigner's own when absent. */
  organisation?: string;
  userSubject?: string;
  validFrom?: Date;
  validTo?: Date;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Caseloads: which team (or user) holds a case for a person or household, and when. Audited. */
@Injectable()
export class CaseAssignmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  list(filter: { subjectId?: string; team?: string; userSubject?: string }): Promise<CaseAssignmentEntity[]> {
    const where = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
    if (Object.keys(where).length === 0) throw invalidRecord('Say whose assignments: subjectId, team or userSubject');
    // An empty subjectId too: it reached PostgreSQL's uuid column and failed there as an internal error.
    if (filter.subjectId !== undefined && !uuid.test(filter.subjectId)) throw invalidRecord('subjectId must be a UUID');
    return this.dataSource.getRepository(CaseAssignmentEntity).find({ where, order: { validFrom: 'DESC' } });
  }

  async assign(input: CaseAssignmentInput, actor: Principal): Promise<CaseAssignmentEntity> {
    if (!uuid.test(input.subjectId)) throw invalidRecord(`subjectId must be a ${input.subjectKind} id (UUID)`);
    if (!input.team?.trim()) throw invalidRecord('A case assignment names the team that holds the case');
    const validFrom = input.validFrom ?? new Date();
    if (input.validTo && input.validTo <= validFrom) throw invalidRecord('validTo must be after validFrom');
    return asInputError(
      () =>
        this.dataSource.transaction(async (tx) => {
          const repo = tx.getRepository(CaseAssignmentEntity);
          const saved = await repo.save(
            repo.create({
              subjectKind: input.subjectKind,
              subjectId: input.subjectId,
              organisation: input.organisation?.trim() || actor.organisation,
              team: input.team.trim(),
              userSubject: input.userSubject?.trim() || null,
              validFrom,
              validTo: input.validTo ?? null,
              createdBy: actor.subject,
            }),
          );
          await this.audit.record(
            {
              actor,
              operation: 'case-assignment.create',
              subjects:
                input.subjectKind === 'person' ? { persons: [input.subjectId] } : { households: [input.subjectId] },
              decision: 'change',
              detail: {
                assignmentId: saved.id,
                organisation: saved.organisation,
                team: saved.team,
                userSubject: saved.userSubject,
              },
            },
            tx,
          );
          return saved;
        }),
      'The case assignment cannot be recorded',
    );
  }

  async end(id: string, actor: Principal, at = new Date()): Promise<CaseAssignmentEntity> {
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(CaseAssignmentEntity);
      const found = uuid.test(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!found) throw recordNotFound(`No case assignment ${id}`);
      if (found.validTo && found.validTo <= at) throw invalidRecord(`Case assignment ${id} has already ended`);
      if (at <= found.validFrom) throw invalidRecord(`Case assignment ${id} starts after ${at.toISOString()}`);
      await repo.update({ id }, { validTo: at, endedBy: actor.subject });
      await this.audit.record(
        {
          actor,
          operation: 'case-assignment.end',
          subjects: found.subjectKind === 'person' ? { persons: [found.subjectId] } : { households: [found.subjectId] },
          decision: 'change',
          detail: { assignmentId: id },
        },
        tx,
      );
      return repo.findOneByOrFail({ id });
    });
  }

  /** Assignments current at `at` for these people or households, held by this principal or its team. */
  /**
   * For the decision point, in one query: the households these people are in at `at` (a case held for a
   * household covers its members), and the principal's own (or its team's) assignments current at `at`
   * to the people or to those households. Reads the households module's membership table directly: one
   * round trip on every decision instead of two in a row. With `membershipsSince`, also the memberships
   * current at any moment from then to `at` (the decision judges each subject's at its own moment).
   */
  async relationshipFacts(
    principal: Principal,
    personIds: string[],
    at: Date,
    membershipsSince?: Date,
  ): Promise<{ households: HouseholdMembershipFact[]; assignments: CaseAssignmentFact[] }> {
    const people = personIds.filter((id) => uuid.test(id));
    if (people.length === 0) return { households: [], assignments: [] };
    const rows = await preparedQuery<FactRow>(
      this.dataSource,
      `with homes as (
         select person_id, household_id, valid_from, valid_to from household_membership
          where person_id = any($1::uuid[]) and valid_from <= $2 and (valid_to is null or valid_to > least($2, $6)))
       select 'home' as fact, household_id::text as id, 'person' as subject_kind, person_id::text as subject_id,
              null as organisation, null as team, null as user_subject, valid_from, valid_to
         from homes
       union all
       select 'assignment', id::text, subject_kind, subject_id::text, organisation, team, user_subject, valid_from, valid_to
         from case_assignment
        where (subject_id = any($1::uuid[]) or subject_id in (select household_id from homes))
          and valid_from <= $2 and (valid_to is null or valid_to > $2)
          and organisation = $5
          and (user_subject = $3 or (user_subject is null and team = $4))`,
      [people, at, principal.subject, principal.team ?? null, principal.organisation, membershipsSince ?? at],
    );
    const households: HouseholdMembershipFact[] = [];
    const assignments: CaseAssignmentFact[] = [];
    for (const row of rows) {
      if (row.fact === 'home') {
        households.push({
          personId: row.subject_id,
          householdId: row.id,
          from: row.valid_from,
          to: row.valid_to ?? undefined,
        });
        continue;
      }
      assignments.push({
        id: row.id,
        subjectKind: row.subject_kind,
        subjectId: row.subject_id,
        organisation: row.organisation!,
        team: row.team!,
        ...(row.user_subject ? { userSubject: row.user_subject } : {}),
        validFrom: row.valid_from,
        validTo: row.valid_to ?? undefined,
      });
    }
    return { households, assignments };
  }

  /**
   * Teams holding a case at `at` for each person, or for the household they live in at `at` (the same
   * validity rules as the decision point's facts, above): the "which team holds it" of an existence answer.
   * Each with the source whose service the team works in (service_team), so that a social care team's name
   * goes only where the person's social care involvement may. One query for all the persons.
   */
  async holdingTeams(personIds: readonly string[], at: Date): Promise<Map<string, HoldingTeam[]>> {
    const people = [...new Set(personIds.filter((id) => uuid.test(id)))];
    const rows: { person_id: string; teams: HoldingTeam[] }[] = people.length
      ? await this.dataSource.query(
          `select p.id::text as person_id,
                  json_agg(distinct jsonb_build_object('team', a.team, 'source', st.source)) as teams
             from unnest($1::uuid[]) as p (id)
             left join household_membership m
               on m.person_id = p.id and m.valid_from <= $2 and (m.valid_to is null or m.valid_to > $2)
             join case_assignment a
               on ((a.subject_kind = 'person' and a.subject_id = p.id) or (a.subject_kind = 'household' and a.subject_id = m.household_id))
              and a.valid_from <= $2 and (a.valid_to is null or a.valid_to > $2)
             left join service_team st on st.organisation = a.organisation and st.team = a.team
            group by p.id`,
          [people, at],
        )
      : [];
    return new Map(rows.map((r) => [r.person_id, r.teams]));
  }

  /**
   * Every team (or user) of any organisation holding a case at `at` for these persons or for the household
   * each lives in at `at` (the same validity rules as `holdingTeams`): who is alerted of a life event.
   * `db` is the caller's transaction, so the alert is written with the event it is about.
   */
  async caseHolders(db: Pick<EntityManager, 'query'>, personIds: readonly string[], at: Date): Promise<CaseHolder[]> {
    const people = [...new Set(personIds.filter((id) => uuid.test(id)))];
    if (people.length === 0) return [];
    const rows: { person_id: string; organisation: string; team: string; user_subject: string | null }[] =
      await db.query(
        `select distinct p.id::text as person_id, a.organisation, a.team, a.user_subject
           from unnest($1::uuid[]) as p (id)
           left join household_membership m
             on m.person_id = p.id and m.valid_from <= $2 and (m.valid_to is null or m.valid_to > $2)
           join case_assignment a
             on ((a.subject_kind = 'person' and a.subject_id = p.id) or (a.subject_kind = 'household' and a.subject_id = m.household_id))
            and a.valid_from <= $2 and (a.valid_to is null or a.valid_to > $2)
          order by 1, 2, 3, 4`,
        [people, at],
      );
    return rows.map((r) => ({
      personId: r.person_id,
      organisation: r.organisation,
      team: r.team,
      ...(r.user_subject ? { userSubject: r.user_subject } : {}),
    }));
  }
}

/** Who holds a current case for a person (directly or for their household): to be told of a life event. */
export interface CaseHolder {
  personId: string;
  organisation: string;
  team: string;
  userSubject?: string;
}

/** A team holding a current case, and the source system whose service it works in (if it is known to). */
export interface HoldingTeam {
  team: string;
  source: string | null;
}

interface FactRow {
  fact: 'home' | 'assignment';
  id: string;
  subject_kind: 'person' | 'household';
  subject_id: string;
  organisation: string | null;
  team: string | null;
  user_subject: string | null;
  valid_from: Date;
  valid_to: Date | null;
}
