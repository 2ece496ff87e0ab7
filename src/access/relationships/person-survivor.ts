import type { EntityManager } from 'typeorm';
import { AccessErrorCode, AccessException, invalidRecord } from '../../engine/access.exception';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The person a record is kept against, and the id it was asked for when that id was merged away. */
export interface ResolvedPerson {
  personId: string;
  mergedFrom?: string;
}

/**
 * The person a consent, objection or break-glass grant asked for `id` belongs to: `id` itself, or, when the
 * person index has merged it, the survivor it was merged into, followed to the end. A merge says the two ids
 * are one human being, and the decision point looks for that person's records under the survivor's id: a
 * record left on the merged id would never apply, which for an objection would be worse than refusing it.
 * An id the index does not hold is refused: a record about no one is an error, not a fact.
 * Reads the identity module's `person` table directly, as the relationship facts read `household_membership`.
 */
export async function resolvePerson(db: Pick<EntityManager, 'query'>, id: string): Promise<ResolvedPerson> {
  if (!uuid.test(id)) throw invalidRecord('personId must be a person id (UUID)');
  const rows: { id: string; status: string }[] = await db.query(
    `with recursive chain (id, status, merged_into, depth) as (
       select id, status, merged_into, 0 from person where id = $1
       union all
       select p.id, p.status, p.merged_into, c.depth + 1
         from chain c join person p on p.id = c.merged_into
        where c.status = 'merged' and c.depth < 32)
     select id::text, status from chain order by depth desc limit 1`,
    [id],
  );
  const last = rows[0];
  if (!last) throw new AccessException(AccessErrorCode.UNKNOWN_PERSON, `No person ${id} in the person index`);
  // A chain that ends on a merged person is broken (or longer than any merge history should be): refuse
  // rather than attach the record to someone who is not the survivor.
  if (last.status !== 'active')
    throw new AccessException(
      AccessErrorCode.UNKNOWN_PERSON,
      `Person ${id} was merged, and the survivor cannot be found`,
    );
  const asked = id.toLowerCase();
  return last.id === asked ? { personId: last.id } : { personId: last.id, mergedFrom: asked };
}
