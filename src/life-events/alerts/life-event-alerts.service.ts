import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CaseAssignmentsService } from '../../access/relationships/case-assignments.service';
import { AuditRecorder } from '../../engine/audit-recorder';
import { PersonDirectory } from '../../identity/directory/person-directory.service';
import type { Principal } from '../../engine/principal';
import { Db, eventPersons, LifeEventRow } from '../intake/life-event-row';

/** One alert as the `notifications` query returns it (its type and date released by the policy per person). */
export interface LifeEventNotification {
  id: string;
  eventId: string;
  personId: string;
  type: string;
  date: string;
  givenName?: string;
  familyName?: string;
  team: string;
  createdAt: Date;
  readAt?: Date;
}

/** How many alerts one `notifications` call returns at most (newest first). */
export const NOTIFICATIONS_PAGE = 100;

/**
 * Alerts to the people holding the case: when an event is accepted, each team (or user) of any organisation
 * holding a current case for the person, or for the household they live in (CaseAssignmentsService, the
 * one owner of "who holds a case"), gets one `life_event_notification` row, in the intake's transaction.
 * Reading them is a disclosure about each person: the `notifications` query is under the policy decision
 * point (Policy.subject), so each is released (and audited) like any other view of that person.
 */
@Injectable()
export class LifeEventAlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: CaseAssignmentsService,
    private readonly audit: AuditRecorder,
    private readonly directory: PersonDirectory,
  ) {}

  /** Alerts every current case holder of the event's persons; returns how many alerts were made. */
  async raise(db: Db, event: LifeEventRow, actor: Principal): Promise<number> {
    const holders = await this.assignments.caseHolders(db, eventPersons(event), new Date());
    let made = 0;
    for (const holder of holders) {
      const rows: unknown[] = await db.query(
        `insert into life_event_notification (event_id, person_id, organisation, team, user_subject)
         values ($1, $2, $3, $4, $5) on conflict do nothing returning id`,
        [event.id, holder.personId, holder.organisation, holder.team, holder.userSubject ?? null],
      );
      made += rows.length;
    }
    if (made > 0)
      await this.audit.record(
        {
          actor,
          operation: 'life-event.alert',
          subjects: { persons: [...new Set(holders.map((h) => h.personId))] },
          decision: 'change',
          reasons: ['case holders told of a life event'],
          detail: {
            eventId: event.id,
            alerts: made,
            teams: [...new Set(holders.map((h) => `${h.organisation}/${h.team}`))],
          },
        },
        db,
      );
    return made;
  }

  /** The signed-in user's alerts (their own, and their team's), newest first. */
  async mine(principal: Principal): Promise<LifeEventNotification[]> {
    const rows: {
      id: string;
      event_id: string;
      person_id: string;
      type: string;
      occurred_on: string;
      team: string;
      created_at: Date;
      read_at: Date | null;
    }[] = await this.dataSource.query(
      `select n.id::text, n.event_id::text, n.person_id::text, e.type, to_char(e.occurred_on, 'YYYY-MM-DD') as occurred_on,
              n.team, n.created_at, n.read_at
         from life_event_notification n join life_event e on e.id = n.event_id
        where n.organisation = $1
          and (n.user_subject = $2 or (n.user_subject is null and n.team = $3))
          and e.status = 'ACCEPTED'
        order by n.created_at desc, n.id desc
        limit ${NOTIFICATIONS_PAGE}`,
      [principal.organisation, principal.subject, principal.team ?? null],
    );
    // Who it happened to, by the golden identity (withheld by the field policy where not released).
    const people = await this.directory.indexed(rows.map((r) => r.person_id));
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      personId: r.person_id,
      type: r.type,
      date: r.occurred_on,
      givenName: people.get(r.person_id)?.golden.givenName?.value,
      familyName: people.get(r.person_id)?.golden.familyName?.value,
      team: r.team,
      createdAt: new Date(r.created_at),
      ...(r.read_at ? { readAt: new Date(r.read_at) } : {}),
    }));
  }

  /** Marks one of the user's alerts read; false when it is not theirs. */
  async markRead(principal: Principal, id: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) return false;
    const rows: unknown[] = await this.dataSource.query(
      `with marked as (
         update life_event_notification set read_at = coalesce(read_at, now())
          where id = $1 and organisation = $2 and (user_subject = $3 or (user_subject is null and team = $4))
          returning id)
       select id from marked`,
      [id, principal.organisation, principal.subject, principal.team ?? null],
    );
    return rows.length > 0;
  }
}
