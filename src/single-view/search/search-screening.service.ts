import { Injectable } from '@nestjs/common';
import { AccessFactsLoader } from '../../access/policy/access-facts.loader';
import { decide } from '../../access/policy/decide';
import type { FieldRef } from '../../access/policy/policy.types';
import { AdmittedCaller, NO_ONE } from '../agreement-gate.service';

/**
 * Which results a search page may hold, worked out before the page is made so that the page, its cursors
 * and `hasNextPage` are made of shown results only. Uses the same decision point as the release that
 * follows (which decides again, records and releases); this step releases and records nothing.
 */
@Injectable()
export class SearchScreening {
  constructor(private readonly facts: AccessFactsLoader) {}

  /**
   * Whether the search may be ranked: the caller's agreement would release every attribute searched by
   * about anyone it could find: someone with no case, grant or objection, who has given any consent the
   * agreement rests on. Otherwise (a caseload role, an agreement not listing the attribute) a score or a rank
   * would tell the caller about attributes it may not see, and the search is answered exactly, unranked.
   */
  ranked(caller: AdmittedCaller, criteria: FieldRef[]): boolean {
    const epoch = new Date(0);
    const stranger = decide(caller.principal, caller.access, { personId: NO_ONE }, criteria, {
      ...caller.facts,
      consents: [{ id: 'search-probe', personId: NO_ONE, status: 'given', validFrom: epoch, recordedAt: epoch }],
    });
    return criteria.every((ref) => stranger.released.includes(ref));
  }

  /**
   * The persons a page may show: those about whom something asked for would be released (as the release
   * step keeps them) and, in a ranked search, whose searched attributes would be released too, so that no
   * score or rank is shown for a person whose matched fields are withheld.
   */
  async admit(
    caller: AdmittedCaller,
    personIds: string[],
    requested: FieldRef[],
    rankedBy?: FieldRef[],
  ): Promise<Set<string>> {
    const facts = await this.facts.load(caller.principal, caller.access, personIds);
    const shown = new Set<string>();
    for (const personId of personIds) {
      if (decide(caller.principal, caller.access, { personId }, requested, facts).released.length === 0) continue;
      if (rankedBy) {
        const matched = decide(caller.principal, caller.access, { personId }, rankedBy, facts);
        if (!rankedBy.every((ref) => matched.released.includes(ref))) continue;
      }
      shown.add(personId);
    }
    return shown;
  }
}
