import { isUuid, Queryable, survivorsOf } from '../../identity/directory/person-directory.service';
import { AccessErrorCode, AccessException, invalidRecord } from '../../engine/access.exception';

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
 * The survivor is the identity module's (`survivorsOf`): the one every view and answer resolves the id to.
 */
export async function resolvePerson(db: Queryable, id: string): Promise<ResolvedPerson> {
  if (!isUuid(id)) throw invalidRecord('personId must be a person id (UUID)');
  const asked = id.toLowerCase();
  const survivors = await survivorsOf(db, [asked]);
  if (!survivors.has(asked))
    throw new AccessException(AccessErrorCode.UNKNOWN_PERSON, `No person ${id} in the person index`);
  const survivor = survivors.get(asked);
  // A chain that ends on a merged person is broken (or longer than any merge history should be): refuse
  // rather than attach the record to someone who is not the survivor.
  if (!survivor)
    throw new AccessException(
      AccessErrorCode.UNKNOWN_PERSON,
      `Person ${id} was merged, and the survivor cannot be found`,
    );
  return survivor === asked ? { personId: survivor } : { personId: survivor, mergedFrom: asked };
}
