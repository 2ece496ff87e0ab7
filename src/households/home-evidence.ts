import type { EntityManager } from 'typeorm';
import type { PersonHomeEvidence } from './household-resolution';

/**
 * Where households come from: every active person's live source records (address, household hints). The
 * port the identity module, which owns the person index, implements (PersonDirectory), so that this module
 * reads no identity table and imports nothing of the identity module.
 */
export abstract class HomeEvidence {
  /** Read in `db` (the resolving transaction), so the evidence and the households written agree. */
  abstract homeEvidence(db: Pick<EntityManager, 'query'>): Promise<PersonHomeEvidence[]>;
}
