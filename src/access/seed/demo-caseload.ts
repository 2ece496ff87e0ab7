import { DataSource } from 'typeorm';
import { Principal, Role } from '../../engine/principal';
import type { PersonDirectory } from '../../identity/directory/person-directory.service';
import { CaseAssignmentsService } from '../relationships/case-assignments.service';

const assigner: Principal = { subject: 'hub-demo-seed', organisation: 'council', roles: [Role.Admin] };

/**
 * For the demo: puts households that more than one service knows on a team's caseload, so that the demo
 * account manager has families to see in full. Households the team already holds are skipped; each
 * assignment is audited like any other.
 */
export async function assignDemoCaseload(
  dataSource: DataSource,
  persons: Pick<PersonDirectory, 'liveSources'>,
  assignments: CaseAssignmentsService,
  team: string,
  count: number,
): Promise<string[]> {
  const candidates: { id: string; members: string[] }[] = await dataSource.query(
    `select h.id::text, array_agg(distinct m.person_id::text) as members from household h
       join household_membership m on m.household_id = h.id and m.valid_to is null
      where not exists (select 1 from case_assignment a where a.subject_id = h.id and a.team = $1)
      group by h.id having count(distinct m.person_id) >= 2`,
    [team],
  );
  // Which services know each member (the identity module's index): two members, two services at least.
  const known = await persons.liveSources(candidates.flatMap((h) => h.members));
  const ranked = candidates
    .map((h) => {
      const members = h.members.filter((id) => (known.get(id) ?? []).length > 0);
      return { id: h.id, members: members.length, sources: new Set(members.flatMap((id) => known.get(id)!)).size };
    })
    .filter((h) => h.members >= 2 && h.sources >= 2)
    .sort((a, b) => b.sources - a.sources || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, count);
  for (const { id } of ranked) await assignments.assign({ subjectKind: 'household', subjectId: id, team }, assigner);
  return ranked.map((h) => h.id);
}
