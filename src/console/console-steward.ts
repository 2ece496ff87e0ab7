import { cell } from './console-cells';

/** The data steward's review queue: the hub's own queries and decisions (each audited by the hub). */

const RECORD = `id source sourceKey personId deleted identity { givenName middleNames familyName dateOfBirth sex nino nhsNumber uprn addressLines postcode phone email }`;

export const REVIEWS_QUERY = `query ConsoleReviews($after: String) {
  matchReviews(first: 10, after: $after) {
    pending nextCursor
    items { id reason probability createdAt
      explanation { weight decision rule hardNegatives fields { comparison level weight } }
      recordA { ${RECORD} } recordB { ${RECORD} } }
  }
}`;

export const ACCEPT_REVIEW = `mutation ConsoleAccept($id: ID!, $note: String) { acceptMatchReview(id: $id, note: $note) { personId } }`;
export const REJECT_REVIEW = `mutation ConsoleReject($id: ID!, $note: String) { rejectMatchReview(id: $id, note: $note) { personId } }`;

type Json = Record<string, unknown>;

/** The identity fields shown side by side, with the comparison that scored them (when one did). */
const FIELDS: [string, string, string][] = [
  ['Given name', 'givenName', 'givenName'],
  ['Middle names', 'middleNames', 'middleNames'],
  ['Family name', 'familyName', 'familyName'],
  ['Date of birth', 'dateOfBirth', 'dateOfBirth'],
  ['Sex', 'sex', 'sex'],
  ['NINO', 'nino', 'nino'],
  ['NHS number', 'nhsNumber', 'nhsNumber'],
  ['Address', 'addressLines', 'address'],
  ['Postcode', 'postcode', 'address'],
  ['Phone', 'phone', 'phone'],
  ['Email', 'email', 'email'],
];

/** One review item as the page shows it: both records side by side, each field's level and weight. */
export function reviewItem(item: Json) {
  const a = item.recordA as Json;
  const b = item.recordB as Json;
  const explanation = item.explanation as Json;
  const weights = new Map(((explanation.fields as Json[]) ?? []).map((f) => [String(f.comparison), f]));
  return {
    id: String(item.id),
    reason: String(item.reason),
    probability: Number(item.probability).toFixed(3),
    weight: Number(explanation.weight).toFixed(2),
    hardNegatives: (explanation.hardNegatives as string[]) ?? [],
    head: [
      { text: 'Field' },
      { text: `${String(a.source)} ${String(a.sourceKey)}` },
      { text: `${String(b.source)} ${String(b.sourceKey)}` },
      { text: 'Comparison' },
      { text: 'Weight', format: 'numeric' },
    ],
    rows: FIELDS.map(([label, field, comparison]) => {
      const scored = weights.get(comparison);
      return [
        { text: label },
        cell((a.identity as Json)[field], undefined, '-'),
        cell((b.identity as Json)[field], undefined, '-'),
        cell(scored?.level, undefined, '-'),
        { text: scored ? Number(scored.weight).toFixed(2) : '', format: 'numeric' },
      ];
    }),
  };
}

/** The weights of the whole pending queue (a page of 100 at a time), for its distribution. */
export const WEIGHTS_QUERY = `query ConsoleReviewWeights($after: String) {
  matchReviews(first: 100, after: $after) { nextCursor items { explanation { weight } } }
}`;

export const SPLIT_RECORD = `mutation ConsoleSplit($id: ID!, $reason: String!) {
  splitSourceRecord(sourceRecordId: $id, reason: $reason) { personId }
}`;

/** The records of a review item a steward may split out of their person: id and a label. */
export function splittable(item: Json) {
  return [item.recordA as Json, item.recordB as Json]
    .filter((record) => record.personId && !record.deleted)
    .map((record) => ({
      value: String(record.id),
      text: `${String(record.source)} ${String(record.sourceKey)}`,
    }));
}

/** Weights in bands one unit wide (log2 Bayes factor), from the lowest to the highest present. */
export function weightBands(weights: number[]): { categories: string[]; counts: number[] } {
  if (!weights.length) return { categories: [], counts: [] };
  const low = Math.floor(Math.min(...weights));
  const high = Math.floor(Math.max(...weights));
  const categories: string[] = [];
  const counts: number[] = [];
  for (let band = low; band <= high; band++) {
    categories.push(`${band} to ${band + 1}`);
    counts.push(weights.filter((w) => Math.floor(w) === band).length);
  }
  return { categories, counts };
}
