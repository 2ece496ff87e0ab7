import { withheldError } from '../../engine/policy/field-policy';
import type { Decision } from '../../access/policy/policy.types';
import { sourceUnavailableError } from '../single-view.errors';
import { CATEGORY_FIELDS } from '../models/service-records.model';
import { lazy, liveRefs, type PersonView } from '../views';
import { isSourceFailure } from './live-sources.service';

/** The decision a view was released under (in its request's register); without one, nothing under it is released. */
export function decisionOf(value: PersonView, what: string): Decision {
  const tag = value.view.tags.of(value);
  if (!tag) throw withheldError(what, 'no access decision covers this object');
  return tag.decision;
}

/** Throws WITHHELD_BY_POLICY unless the decision released `ref`; for lists, whose length alone would tell. */
export function requireReleased(decision: Decision, ref: string): void {
  if (decision.released.includes(ref)) return;
  throw withheldError(
    ref,
    decision.withheld.find((w) => w.field === ref)?.reason ?? 'not released by the decision for this request',
  );
}

/**
 * One source's records for a person, live, grouped by category, for the fields the person's decision
 * released. Nothing is fetched when none of the source's fields was released; a category with no released
 * field is withheld as a whole (an empty list or a count would already say something); a source that does
 * not answer makes this field null with SOURCE_UNAVAILABLE and leaves the rest of the answer alone.
 */
export async function liveRecords(person: PersonView, source: string): Promise<Record<string, unknown>> {
  const decision = decisionOf(person, source);
  const refs = liveRefs(decision, source);
  if (refs.length === 0) {
    const reason =
      decision.withheld.find((w) => w.field.startsWith(`${source}.`))?.reason ??
      `none of the ${source} fields asked for is released`;
    throw withheldError(`${source}.*`, reason);
  }
  const state = person.view;
  await state.prefetched;
  const indexed = await state.loaders.indexed.load(person.id);
  let records;
  try {
    records = await state.loaders.serviceRecords(source, indexed, refs);
  } catch (error) {
    if (isSourceFailure(error)) throw sourceUnavailableError(error);
    throw error;
  }
  const view: Record<string, unknown> = {};
  for (const [field, category] of Object.entries(CATEGORY_FIELDS[source])) {
    const prefix = `${source}.${category}.`;
    if (refs.some((ref) => ref.startsWith(prefix))) {
      view[field] = records.filter((r) => r.category === category).map((r) => ({ ...r.fields }));
    } else {
      const reason =
        decision.withheld.find((w) => w.field.startsWith(prefix))?.reason ??
        `none of the ${category} fields asked for is released`;
      // Read only if the query asks for the list: then it refuses, as a field error on the list alone.
      lazy(view, field, () => {
        throw withheldError(`${source}.${category}.*`, reason);
      });
    }
  }
  return view;
}
