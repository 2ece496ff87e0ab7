import { Injectable } from '@nestjs/common';
import {
  hasCriteria,
  PersonSearchIndex,
  SearchCriteria,
  SearchHit,
} from '../../identity/directory/person-search.index';
import { badInput } from '../single-view.errors';

export interface SearchPage {
  hits: SearchHit[];
  hasNextPage: boolean;
}

/** Which of these persons may be shown (decided without releasing anything). */
export type Admit = (personIds: string[]) => Promise<ReadonlySet<string>>;

/**
 * People search for the single view, over the identity module's search index (PersonSearchIndex: ranked or
 * exact, see there).
 *
 * A page holds only results `admit` lets through, so a withheld person leaves no gap, short page or cursor:
 * the next batch is read until the page is full and one more admitted result says there is a next page.
 */
@Injectable()
export class PersonSearchService {
  constructor(private readonly index: PersonSearchIndex) {}

  async page(
    criteria: SearchCriteria,
    ranked: boolean,
    first: number,
    after: SearchHit | undefined,
    admit: Admit,
  ): Promise<SearchPage> {
    if (!hasCriteria(criteria)) throw badInput('Search by at least one of: name, date of birth, postcode, NINO');
    const batchSize = Math.max(2 * (first + 1), 20);
    const kept: SearchHit[] = [];
    let position = after;
    for (;;) {
      const batch = ranked
        ? await this.index.ranked(criteria, position as Required<SearchHit> | undefined, batchSize)
        : await this.index.exact(criteria, position?.personId, batchSize);
      if (batch.length === 0) break;
      const admitted = await admit(batch.map((hit) => hit.personId));
      kept.push(...batch.filter((hit) => admitted.has(hit.personId)));
      if (kept.length > first || batch.length < batchSize) break;
      position = batch.at(-1);
    }
    return { hits: kept.slice(0, first), hasNextPage: kept.length > first };
  }
}
