import { DataSource } from 'typeorm';
import { Principal, Role } from '../../engine/principal';
import { CaseAssignmentsService } from '../relationships/case-assignments.service';

const assigner: Principal = { subject: 'hub-demo-seed', organisation: 'council', roles: [Role.Admin] };

/**
 * For the demo: puts households that more than one service knows on a team's caseload, so that the demo
 * account manager has families to see in full. Households the team already holds are skipped; each
 * assignment is audited like any other.
 */
export async function assignDemoCaseload(
  dataSource: DataSource,
  assignments: CaseAssignmentsService,
  team: string,
  count: number,
): Promise<string[]> {
  const rows: { id: string }[] = await dataSource.query(
    `select h.id::text from household h
       join household_membership m on m.household_id = h.id and m.valid_to is null
       join person_link l on l.person_id = m.person_id
       join source_record r on r.id = l.source_record_id and not r.deleted
      where not exists (select 1 from case_assignment a where a.subject_id = h.id and a.team = $1)
      group by h.id having count(distinct r.source) >= 2 and count(distinct m.person_id) >= 2
      order by count(distinct r.source) desc, h.id limit $2`,
    [team, count],
  );
  for (const { id } of rows) await assignments.assign({ subjectKind: 'household', subjectId: id, team }, assigner);
  return rows.map((r) => r.id);
}
