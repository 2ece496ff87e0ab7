import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { unsafeTextProblem } from '../../common/safe-text';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { CaseAssignmentsService } from '../../access/relationships/case-assignments.service';
import { AccessErrorCode, AccessException } from '../../engine/access.exception';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal, Role } from '../../engine/principal';
import { HouseholdsService } from '../../households/households.service';
import { IndexedPerson, isUuid, PersonDirectory } from '../../identity/directory/person-directory.service';
import { MIN_SCORE, PersonSearchIndex } from '../../identity/directory/person-search.index';
import { ReportedIdentityService } from '../../identity/persons/reported-identity.service';
import { LifeEventAlertsService } from '../alerts/life-event-alerts.service';
import { LIFE_EVENT_FIELDS } from '../delivery-plan';
import {
  invalidReport,
  invalidTransition,
  LifeEventErrorCode,
  LifeEventException,
  lifeEventNotFound,
} from '../life-event.exception';
import { KnownPerson, LifeEventReport, reportProblems, sameEventKey, ukPostcode } from '../life-event-rules';
import { EventContent, LifeEventFanOut } from './life-event-fan-out';
import { Db, eventPersons, LifeEventRow, loadEvent, reporter } from './life-event-row';

/** A described person is taken as found only when the best candidate scores this well... */
export const CERTAIN_MATCH_SCORE = 0.9;
/** ...and the next best is this far behind; otherwise a data steward decides. */
export const CERTAIN_MATCH_MARGIN = 0.1;
/** Candidates kept for the data steward. */
const CANDIDATES = 5;
/** A withdrawal says why, in a few words. */
const MIN_REASON = 10;

/** Events that change who lives where: households are re-resolved after them. */
const MOVES_PEOPLE = new Set(['DEATH', 'CHANGE_OF_ADDRESS', 'BIRTH']);

export interface ReportOutcome {
  event: LifeEventRow;
  /** True when the report repeated an earlier event, which is returned instead (nothing new is delivered). */
  repeat: boolean;
}

/** Today in Europe/London, YYYY-MM-DD: the day a registrar's "today" is. */
export function londonToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** A report by description once its person is found: checked as if it had named them. */
const matched = (report: LifeEventReport): LifeEventReport => {
  if (!report.personId || !report.person) return report;
  const { person: _described, ...named } = report;
  return named;
};

const trimmed = (value: string | null | undefined) => value?.trim() || undefined;

/** The report as given, with blanks dropped and the postcodes in standard form; nothing corrected. */
export function normaliseReport(input: LifeEventReport): LifeEventReport {
  const report: LifeEventReport = {
    type: input.type,
    date: input.date?.trim() ?? '',
    evidenceReference: input.evidenceReference?.trim() ?? '',
  };
  if (trimmed(input.personId)) report.personId = input.personId!.trim().toLowerCase();
  if (input.person)
    report.person = {
      givenName: input.person.givenName?.trim() ?? '',
      familyName: input.person.familyName?.trim() ?? '',
      dateOfBirth: input.person.dateOfBirth?.trim() ?? '',
      ...(trimmed(input.person.postcode) ? { postcode: input.person.postcode!.trim() } : {}),
      ...(trimmed(input.person.nino) ? { nino: input.person.nino!.replace(/\s+/g, '').toUpperCase() } : {}),
      ...(trimmed(input.person.nhsNumber) ? { nhsNumber: input.person.nhsNumber!.replace(/\D/g, '') } : {}),
    };
  if (input.newAddress)
    report.newAddress = {
      lines: (input.newAddress.lines ?? []).map((line) => line.trim()).filter(Boolean),
      postcode: ukPostcode(input.newAddress.postcode ?? '') ?? input.newAddress.postcode ?? '',
      ...(trimmed(input.newAddress.uprn) ? { uprn: input.newAddress.uprn!.trim() } : {}),
    };
  if (input.newName)
    report.newName = Object.fromEntries(
      Object.entries(input.newName)
        .map(([key, value]) => [key, trimmed(value as string | undefined)])
        .filter(([, value]) => value),
    );
  if (input.parentIds?.length) report.parentIds = input.parentIds.map((id) => id.trim().toLowerCase());
  if (input.child)
    report.child = {
      givenName: input.child.givenName?.trim() ?? '',
      familyName: input.child.familyName?.trim() ?? '',
      ...(input.child.sex ? { sex: input.child.sex } : {}),
    };
  return report;
}

/**
 * Tell Us Once intake (docs/life-events.md): a report is checked, matched to a person, stored once, and, once
 * accepted, changes the index, fans out to every subscriber an agreement lets hear of it, and alerts the case
 * holders: the event, its deliveries, their audit events and their jobs in ONE transaction. A repeat returns
 * the first event. A withdrawal retracts every notice the same way. A described person whose match is not
 * certain waits for a data steward, and nothing is delivered until they decide.
 */
@Injectable()
export class LifeEventIntakeService {
  private readonly logger = new Logger('LifeEvents');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: PersonDirectory,
    private readonly search: PersonSearchIndex,
    private readonly identity: ReportedIdentityService,
    private readonly households: HouseholdsService,
    private readonly fanOut: LifeEventFanOut,
    private readonly alerts: LifeEventAlertsService,
    private readonly audit: AuditRecorder,
    private readonly assignments: CaseAssignmentsService,
  ) {}

  async report(input: LifeEventReport, actor: Principal, requestId?: string): Promise<ReportOutcome> {
    if (actor.organisation !== this.config.auth.councilOrganisation)
      throw new LifeEventException(
        LifeEventErrorCode.REPORTER_NOT_COUNCIL,
        'Life events are reported by the council’s own staff',
      );
    const report = normaliseReport(input);
    const today = londonToday();
    const problems = reportProblems(report, today);
    if (problems.length > 0) throw invalidReport(problems);
    if (!actor.roles.includes(Role.Registrar)) await this.caseHolderOnly(report, actor, requestId);

    // Who it is about: by id (a merged id stands for its survivor), by the parents for a birth, or found.
    let subject: IndexedPerson | undefined;
    let parents: IndexedPerson[] = [];
    let candidates: { personId: string; score: number }[] | undefined;
    if (report.type === 'BIRTH') {
      parents = await this.persons(report.parentIds ?? [], 'parentIds');
      report.parentIds = parents.map((p) => p.personId);
    } else if (report.personId) {
      [subject] = await this.persons([report.personId], 'personId');
      report.personId = subject.personId;
    } else {
      const found = await this.find(report);
      if ('personId' in found) {
        [subject] = await this.persons([found.personId], 'person');
        report.personId = subject.personId;
      } else candidates = found.candidates;
    }
    const key = this.eventKey(report);
    // A repeat is answered before the checks against the index, which the first report has since changed.
    const earlier = await this.firstReport(this.dataSource.manager, key, report.evidenceReference);
    if (earlier)
      return { event: await this.repeated(this.dataSource.manager, earlier, actor, requestId), repeat: true };
    if (subject) {
      const known = this.known(subject, await this.identity.dateOfDeath(this.dataSource.manager, subject.personId));
      const checked = reportProblems(matched(report), today, known);
      if (checked.length > 0) throw invalidReport(checked);
    }

    const outcome = await this.inTransaction(async (tx) => {
      // Repeats wait for each other: the same key or the same evidence, one report at a time.
      for (const lock of [
        ...(key ? [`life-event:${key}`] : []),
        `life-event-evidence:${report.evidenceReference}`,
      ].sort())
        await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [lock]);
      const first = await this.firstReport(tx, key, report.evidenceReference);
      if (first) return { event: await this.repeated(tx, first, actor, requestId), repeat: true };
      const status = candidates ? 'AWAITING_MATCH' : 'ACCEPTED';
      const [{ id }]: { id: string }[] = await tx.query(
        `insert into life_event (type, status, person_id, occurred_on, evidence_reference, report, same_event_key,
                                 match_review, reported_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id::text`,
        [
          report.type,
          status,
          report.personId ?? null,
          report.date,
          report.evidenceReference,
          JSON.stringify(report),
          key ?? null,
          candidates ? JSON.stringify({ candidates }) : null,
          JSON.stringify(reporter(actor)),
        ],
      );
      const event = (await loadEvent(tx, id))!;
      await this.audit.record(
        {
          actor,
          operation: 'life-event.report',
          subjects: { persons: [...eventPersons(event), ...(candidates ?? []).map((c) => c.personId)] },
          decision: 'change',
          reasons: [
            candidates
              ? `reported by description; ${candidates.length} candidate(s), none certain: a data steward decides`
              : `reported (${event.type})`,
          ],
          ...(requestId ? { requestId } : {}),
          detail: { eventId: id, type: event.type, status },
        },
        tx,
      );
      return {
        event: status === 'ACCEPTED' ? await this.accept(tx, event, subject, parents, actor, requestId) : event,
        repeat: false,
      };
    });
    if (!outcome.repeat && outcome.event.status === 'ACCEPTED') await this.afterChange(outcome.event);
    return outcome;
  }

  async withdraw(id: string, reason: string, actor: Principal, requestId?: string): Promise<LifeEventRow> {
    const why = reason?.trim() ?? '';
    const unsafe = why ? unsafeTextProblem(why, 'multiline', 2000) : undefined;
    if (why.length < MIN_REASON || unsafe)
      throw invalidReport([{ field: 'reason', message: unsafe ?? `say why, in at least ${MIN_REASON} characters` }]);
    if (!isUuid(id)) throw lifeEventNotFound('No life event has that id');
    const event = await this.inTransaction(async (tx) => {
      const found = await loadEvent(tx, id, true);
      if (!found) throw lifeEventNotFound('No life event has that id');
      // A rejected report can be withdrawn too, so that its evidence reference can be reported again.
      if (found.status === 'WITHDRAWN') throw invalidTransition(`Life event ${id} is withdrawn already`);
      const anyEvent = actor.roles.includes(Role.Registrar) || actor.roles.includes(Role.Dpo);
      if (!anyEvent && found.reportedBy.subject !== actor.subject)
        throw new LifeEventException(
          LifeEventErrorCode.NOT_THE_REPORTER,
          'You can withdraw only the events you reported: ask a registrar or the DPO',
        );
      await tx.query(
        `update life_event set status = 'WITHDRAWN', withdrawn_by = $2, withdrawn_at = now(), withdrawal_reason = $3,
                updated_at = now() where id = $1`,
        [id, JSON.stringify({ subject: actor.subject, organisation: actor.organisation }), why],
      );
      const withdrawn = (await loadEvent(tx, id))!;
      let retractions = 0;
      if (found.status === 'ACCEPTED') {
        await this.undo(tx, withdrawn);
        retractions = await this.fanOut.retractions(tx, withdrawn, actor, requestId);
      }
      await this.audit.record(
        {
          actor,
          operation: 'life-event.withdraw',
          subjects: { persons: eventPersons(withdrawn) },
          decision: 'change',
          reasons: [why],
          ...(requestId ? { requestId } : {}),
          detail: { eventId: id, type: withdrawn.type, was: found.status, retractions },
        },
        tx,
      );
      return withdrawn;
    });
    await this.afterChange(event);
    return event;
  }

  /** A data steward's decision on a report by description: this person, or no one (REJECTED). */
  async decideMatch(
    id: string,
    personId: string | undefined,
    note: string | undefined,
    actor: Principal,
    requestId?: string,
  ): Promise<LifeEventRow> {
    if (!isUuid(id)) throw lifeEventNotFound('No life event has that id');
    const person = personId ? (await this.persons([personId], 'personId'))[0] : undefined;
    const event = await this.inTransaction(async (tx) => {
      const found = await loadEvent(tx, id, true);
      if (!found) throw lifeEventNotFound('No life event has that id');
      if (found.status !== 'AWAITING_MATCH')
        throw invalidTransition(`Life event ${id} is ${found.status.toLowerCase()}: its match was decided already`);
      const decided = JSON.stringify({ subject: actor.subject, ...(note?.trim() ? { note: note.trim() } : {}) });
      if (!person) {
        await tx.query(
          `update life_event set status = 'REJECTED', decided_by = $2, decided_at = now(), updated_at = now() where id = $1`,
          [id, decided],
        );
        await this.audit.record(
          {
            actor,
            operation: 'life-event.match.reject',
            subjects: { persons: (found.matchReview?.candidates ?? []).map((c) => c.personId) },
            decision: 'change',
            reasons: [note?.trim() || 'no one in the index is the person reported'],
            ...(requestId ? { requestId } : {}),
            detail: { eventId: id },
          },
          tx,
        );
        return (await loadEvent(tx, id))!;
      }
      const report = { ...found.report, personId: person.personId };
      const problems = reportProblems(
        matched(report),
        londonToday(),
        this.known(person, await this.identity.dateOfDeath(tx, person.personId)),
      );
      if (problems.length > 0) throw invalidReport(problems);
      const key = this.eventKey(report)!;
      await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`life-event:${key}`]);
      const first = await this.firstReport(tx, key, undefined);
      if (first)
        throw invalidTransition(
          `Life event ${first.id} already reports this event for that person: reject this report as a repeat`,
        );
      await tx.query(
        `update life_event set status = 'ACCEPTED', person_id = $2, same_event_key = $3, report = $4,
                decided_by = $5, decided_at = now(), updated_at = now() where id = $1`,
        [id, person.personId, key, JSON.stringify(report), decided],
      );
      await this.audit.record(
        {
          actor,
          operation: 'life-event.match.accept',
          subjects: { persons: [person.personId] },
          decision: 'change',
          reasons: [note?.trim() || 'the data steward matched the report to this person'],
          ...(requestId ? { requestId } : {}),
          detail: { eventId: id },
        },
        tx,
      );
      return this.accept(tx, (await loadEvent(tx, id))!, person, [], actor, requestId);
    });
    if (event.status === 'ACCEPTED') await this.afterChange(event);
    return event;
  }

  /** The accepted event's effects, in its transaction: the index reacts, the deliveries, the alerts. */
  private async accept(
    tx: Db,
    event: LifeEventRow,
    subject: IndexedPerson | undefined,
    parents: IndexedPerson[],
    actor: Principal,
    requestId?: string,
  ): Promise<LifeEventRow> {
    // What is delivered describes the person as the index knew them when the event was reported.
    const content = this.content(event, subject, parents);
    const at = event.reportedAt;
    const report = event.report;
    switch (event.type) {
      case 'DEATH':
        await this.identity.recordDeath(tx, event.personId!, event.date);
        break;
      case 'CHANGE_OF_ADDRESS':
        await this.identity.report(
          tx,
          event.personId!,
          event.id,
          {
            addressLines: report.newAddress!.lines,
            postcode: report.newAddress!.postcode,
            ...(report.newAddress!.uprn ? { uprn: report.newAddress!.uprn } : {}),
          },
          [],
          at,
        );
        break;
      case 'CHANGE_OF_NAME': {
        const previous = subject?.golden.familyName?.value;
        const changed = report.newName!.familyName && report.newName!.familyName !== previous;
        await this.identity.report(
          tx,
          event.personId!,
          event.id,
          { ...report.newName!, ...(changed && previous ? { previousFamilyNames: [previous] } : {}) },
          [],
          at,
        );
        break;
      }
      case 'BIRTH': {
        // The child lives with a living parent (a father may have died before the birth).
        const home = [...parents]
          .sort((a, b) => Number(!!a.dateOfDeath) - Number(!!b.dateOfDeath))
          .find((p) => p.golden.address)?.golden.address?.value;
        const childId = await this.identity.registerBirth(
          tx,
          event.id,
          {
            givenName: report.child!.givenName,
            familyName: report.child!.familyName,
            dateOfBirth: event.date,
            ...(report.child!.sex ? { sex: report.child!.sex } : {}),
            ...(home?.uprn ? { uprn: home.uprn } : {}),
            ...(home?.addressLines ? { addressLines: home.addressLines } : {}),
            ...(home?.postcode ? { postcode: home.postcode } : {}),
          },
          parents.map((p) => p.personId),
          at,
        );
        await tx.query(`update life_event set person_id = $2, updated_at = now() where id = $1`, [event.id, childId]);
        event = { ...event, personId: childId };
        break;
      }
    }
    const notDelivered = await this.fanOut.notices(tx, event, content, actor, requestId);
    await tx.query(`update life_event set not_delivered = $2 where id = $1`, [event.id, JSON.stringify(notDelivered)]);
    await this.alerts.raise(tx, event, actor);
    return (await loadEvent(tx, event.id))!;
  }

  /**
   * Staff other than registrars (account managers) report only about people whose case they or their team
   * hold (the person, or for a birth a parent, or their household), named by id: the same standing as for
   * recording consent. Checked on the ids as given, before anything is looked up, so an id the hub does not
   * know gets the same answer as one off the caseload. Refusals are audited.
   */
  private async caseHolderOnly(report: LifeEventReport, actor: Principal, requestId?: string): Promise<void> {
    if (report.person)
      throw invalidReport([
        {
          field: 'person',
          message:
            'an account manager reports about someone on their caseload by personId (registrars report by description)',
        },
      ]);
    const ids = report.type === 'BIRTH' ? (report.parentIds ?? []) : [report.personId!];
    const { assignments, households } = await this.assignments.relationshipFacts(actor, ids.filter(isUuid), new Date());
    const held = (id: string) =>
      assignments.some(
        (a) =>
          (a.subjectKind === 'person' && a.subjectId === id) ||
          (a.subjectKind === 'household' && households.some((h) => h.personId === id && h.householdId === a.subjectId)),
      );
    if (ids.length > 0 && ids.every(held)) return;
    await this.audit.record({
      actor,
      operation: 'life-event.report',
      subjects: { persons: ids.filter(isUuid) },
      decision: 'deny',
      reasons: ['the person is not on the caseload of the reporter or their team'],
      ...(requestId ? { requestId } : {}),
      detail: { refused: AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP, type: report.type },
    });
    throw new AccessException(
      AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP,
      'An account manager reports a life event only for someone whose case they or their team hold; a registrar reports any',
    );
  }

  /** A repeated report: audited, and the first event answered; nothing is delivered again. */
  private async repeated(db: Db, first: LifeEventRow, actor: Principal, requestId?: string): Promise<LifeEventRow> {
    await this.audit.record(
      {
        actor,
        operation: 'life-event.repeat',
        subjects: { persons: eventPersons(first) },
        decision: 'change',
        reasons: ['the same event was reported before: the first report stands, nothing is delivered again'],
        ...(requestId ? { requestId } : {}),
        detail: { eventId: first.id, type: first.type },
      },
      db,
    );
    return first;
  }

  /** A withdrawn event's effects on the index, undone. */
  private async undo(tx: Db, event: LifeEventRow): Promise<void> {
    if (event.type === 'DEATH' && event.personId) await this.identity.clearDeath(tx, event.personId, event.date);
    else await this.identity.withdraw(tx, event.id);
  }

  /** Households follow a death, a move or a birth (and their withdrawal) at once, not at the next sync. */
  private async afterChange(event: LifeEventRow): Promise<void> {
    if (!MOVES_PEOPLE.has(event.type)) return;
    try {
      await this.households.resolveAll();
    } catch (error) {
      // The event stands (its effect is in the index); the next sync's resolution places people again.
      this.logger.warn(`households not re-resolved after a life event: ${(error as Error).name}`);
    }
  }

  /** Every field an event has, for the deliveries; each recipient gets those its agreement releases. */
  private content(event: LifeEventRow, subject: IndexedPerson | undefined, parents: IndexedPerson[]): EventContent {
    const report = event.report;
    const g = subject?.golden;
    const identity: Record<string, unknown> = g
      ? {
          'hub.identity.givenName': g.givenName?.value,
          'hub.identity.middleNames': g.middleNames?.value,
          'hub.identity.familyName': g.familyName?.value,
          'hub.identity.dateOfBirth': g.dateOfBirth?.value,
          'hub.identity.nino': g.nino?.value,
          'hub.identity.nhsNumber': g.nhsNumber?.value,
          'hub.identity.addressLines': g.address?.value.addressLines,
          'hub.identity.postcode': g.address?.value.postcode,
          'hub.identity.uprn': g.address?.value.uprn,
        }
      : {};
    const values: Record<string, unknown> = {
      [LIFE_EVENT_FIELDS.type]: event.type,
      [LIFE_EVENT_FIELDS.date]: event.date,
      [LIFE_EVENT_FIELDS.newAddress]: report.newAddress,
      [LIFE_EVENT_FIELDS.newName]: report.newName,
      [LIFE_EVENT_FIELDS.child]: report.child ? { ...report.child, dateOfBirth: event.date } : undefined,
      [LIFE_EVENT_FIELDS.parents]: parents.length
        ? parents.map((p) => ({
            givenName: p.golden.givenName?.value,
            familyName: p.golden.familyName?.value,
            dateOfBirth: p.golden.dateOfBirth?.value,
          }))
        : undefined,
      ...identity,
      'hub.identity.dateOfDeath': event.type === 'DEATH' ? event.date : undefined,
    };
    const sourceKeys = new Map<string, string[]>();
    for (const person of subject ? [subject] : parents)
      for (const [source, keys] of person.keys) sourceKeys.set(source, [...(sourceKeys.get(source) ?? []), ...keys]);
    return { values, sourceKeys };
  }

  /** What the reported person's golden identity says, for the checks that compare with it. */
  private known(person: IndexedPerson, dateOfDeath: string | undefined): KnownPerson {
    return {
      dateOfBirth: person.golden.dateOfBirth?.value ?? null,
      dateOfDeath: dateOfDeath ?? null,
      givenName: person.golden.givenName?.value ?? null,
      familyName: person.golden.familyName?.value ?? null,
    };
  }

  /** The persons these ids stand for (survivors of merged ids), each known, or UNKNOWN_PERSON naming the field. */
  private async persons(ids: readonly string[], field: string): Promise<IndexedPerson[]> {
    const bad = ids.filter((id) => !isUuid(id));
    if (bad.length > 0) throw invalidReport([{ field, message: 'must be a person id (UUID)' }]);
    const found = await this.directory.survivorsIndexed(ids);
    const missing = ids.filter((id) => !found.get(id.toLowerCase()));
    if (missing.length > 0)
      throw new LifeEventException(
        LifeEventErrorCode.UNKNOWN_PERSON,
        `${field} names no one in the person index (${missing.join(', ')})`,
        { field },
      );
    const persons = ids.map((id) => found.get(id.toLowerCase())!);
    if (new Set(persons.map((p) => p.personId)).size !== persons.length)
      throw invalidReport([{ field, message: 'names the same person twice (one id was merged into the other)' }]);
    return persons;
  }

  /** The person a description names for certain, or the candidates for a data steward. */
  private async find(
    report: LifeEventReport,
  ): Promise<{ personId: string } | { candidates: { personId: string; score: number }[] }> {
    const person = report.person!;
    const hits = await this.search.ranked(
      {
        givenName: person.givenName,
        familyName: person.familyName,
        dateOfBirth: person.dateOfBirth,
        ...(person.postcode ? { postcode: person.postcode.replace(/\s+/g, '').toUpperCase() } : {}),
        ...(person.nino ? { nino: person.nino } : {}),
      },
      undefined,
      CANDIDATES,
    );
    const candidates = hits
      .filter((hit) => hit.score >= MIN_SCORE)
      .map((hit) => ({ personId: hit.personId, score: Math.round(hit.score * 1000) / 1000 }));
    const [best, next] = candidates;
    if (best && best.score >= CERTAIN_MATCH_SCORE && (!next || best.score - next.score >= CERTAIN_MATCH_MARGIN))
      return { personId: best.personId };
    return { candidates };
  }

  /** What makes two reports one event: type, person (for a birth: parents and child) and date. */
  private eventKey(report: LifeEventReport): string | undefined {
    if (report.type === 'BIRTH') {
      const child = report
        .child!.givenName.normalize('NFKD')
        .toLowerCase()
        .replace(/[^a-z]/g, '');
      return sameEventKey('BIRTH', `${[...(report.parentIds ?? [])].sort().join('+')}/${child}`, report.date);
    }
    return report.personId ? sameEventKey(report.type, report.personId, report.date) : undefined;
  }

  private async firstReport(
    tx: Db,
    key: string | undefined,
    evidence: string | undefined,
  ): Promise<LifeEventRow | undefined> {
    const [row]: { id: string }[] = await tx.query(
      `select id::text from life_event
        where status <> 'WITHDRAWN' and ((same_event_key = $1) or (evidence_reference = $2))
        order by reported_at, id limit 1`,
      [key ?? null, evidence ?? null],
    );
    return row ? loadEvent(tx, row.id) : undefined;
  }

  /** A transaction; a unique violation (two identical reports at once, past the locks) is a clear error. */
  private async inTransaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
      if (code === '23505')
        throw invalidTransition('The same event was reported at the same moment by someone else: ask for it again');
      throw error;
    }
  }
}
