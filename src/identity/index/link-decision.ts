import { PairScore } from '../matching/match-model';
import { HardNegative } from '../matching/match-rules';

/**
 * The matcher's view of the index while it works through a batch: who is linked to whom, which links a
 * person made (never moved by the matcher), and the pairs people have decided about.
 */
export class IndexState {
  readonly personOf = new Map<string, string>();
  readonly membersOf = new Map<string, Set<string>>();
  readonly manual = new Set<string>();
  readonly constraints = new Map<string, 'same' | 'different'>();

  link(recordId: string, personId: string): void {
    const previous = this.personOf.get(recordId);
    if (previous) this.membersOf.get(previous)?.delete(recordId);
    this.personOf.set(recordId, personId);
    const members = this.membersOf.get(personId) ?? new Set<string>();
    members.add(recordId);
    this.membersOf.set(personId, members);
  }

  /** Live records of a person other than `except`. */
  othersIn(personId: string, except: string): string[] {
    return [...(this.membersOf.get(personId) ?? [])].filter((id) => id !== except);
  }

  constraint(a: string, b: string): 'same' | 'different' | undefined {
    return this.constraints.get(pairKey(a, b));
  }
}

export const pairKey = (a: string, b: string) => (BigInt(a) < BigInt(b) ? `${a}|${b}` : `${b}|${a}`);

export interface ReviewRequest {
  other: string;
  score: PairScore;
  reason: string;
}

export type LinkDecision =
  | { action: 'keep'; personId: string; reviews: ReviewRequest[] }
  | {
      action: 'link';
      personId: string;
      via: string;
      score: PairScore;
      manual: boolean;
      emptied?: string;
      reviews: ReviewRequest[];
    }
  | { action: 'new'; emptied?: string; reviews: ReviewRequest[] };

interface PersonVerdict {
  personId: string;
  best: { recordId: string; score: PairScore };
  eligible: boolean;
  forced: boolean;
}

/** What the decision needs to know beyond the record's own scores, to spot an ambiguous record. */
export interface AmbiguityCheck {
  /** The score of two other records. */
  judge(a: string, b: string): PairScore;
  /** Whether the record being decided holds the field that tells the two people of a hard negative apart. */
  holds(negative: HardNegative): boolean;
}

/** Strong neighbours checked pairwise for ambiguity. */
const MAX_NEIGHBOURS = 24;

/**
 * Decides where one record belongs, given its scores against every live record of every person it might
 * join (and of its own person). A record joins a person only if it links strongly to one of that person's
 * records AND is consistent with all of them: no hard negative, no "different" decision, and a mean weight
 * at least the review weight. So a weak middle record cannot chain two people together, and when a record
 * would join two persons it joins the stronger and the other pair goes to review, never an automatic merge.
 * Links a person made stay where they are; "same" decisions are followed. A record that links strongly to
 * two records which cannot be one person (twins, a father and his namesake son) and lacks the field that
 * tells them apart joins neither: linking it would be a guess, so both pairs go to review.
 */
export function decideLink(
  recordId: string,
  scores: Map<string, PairScore>,
  state: IndexState,
  reviewWeight: number,
  ambiguity?: AmbiguityCheck,
): LinkDecision {
  const current = state.personOf.get(recordId);
  const ambiguous = ambiguity ? ambiguousNeighbours(scores, ambiguity) : [];
  const verdicts = personVerdicts(recordId, scores, state, reviewWeight);
  const reviews = [
    ...reviewRequests(recordId, scores, state),
    // A strong match into a person it conflicts with may mean that person is two people: a person decides.
    ...verdicts
      .filter((v) => !v.eligible && v.best.score.decision === 'link' && !state.constraint(recordId, v.best.recordId))
      .map((v) => ({
        other: v.best.recordId,
        score: v.best.score,
        reason: 'strong match to a person it conflicts with',
      })),
    ...ambiguous
      .filter((other) => !state.constraint(recordId, other))
      .map((other) => ({ other, score: scores.get(other)!, reason: 'ambiguous: links to two different people' })),
  ];
  const byStrength = (a: PersonVerdict, b: PersonVerdict) => b.best.score.weight - a.best.score.weight;

  if (current && state.manual.has(recordId)) return { action: 'keep', personId: current, reviews };
  const forced = verdicts.find((v) => v.forced && v.personId !== current);
  if (forced)
    return {
      action: 'link',
      personId: forced.personId,
      via: forced.best.recordId,
      score: forced.best.score,
      manual: true,
      emptied: emptiedBy(current, recordId, state),
      reviews,
    };

  // An ambiguous record stays where it is (or alone): it joins no one new.
  const eligible = ambiguous.length
    ? []
    : verdicts.filter((v) => v.eligible && v.personId !== current).sort(byStrength);
  const bridging = (chosen?: string) =>
    eligible
      .filter((v) => v.personId !== chosen)
      .map((v) => ({ other: v.best.recordId, score: v.best.score, reason: 'would join two persons' }));

  if (current) {
    const others = state.othersIn(current, recordId);
    const own = verdicts.find((v) => v.personId === current);
    const consistent =
      others.length === 0 || (own !== undefined && !conflicts(recordId, others, scores, state, reviewWeight));
    if (consistent && (others.length > 0 || eligible.length === 0))
      return { action: 'keep', personId: current, reviews: [...reviews, ...bridging()] };
    if (eligible.length === 0) return { action: 'new', reviews };
    const [chosen] = eligible;
    const emptied = others.length === 0 ? current : undefined;
    return {
      action: 'link',
      personId: chosen.personId,
      via: chosen.best.recordId,
      score: chosen.best.score,
      manual: false,
      emptied,
      reviews: [...reviews, ...bridging(chosen.personId)],
    };
  }
  if (eligible.length === 0) return { action: 'new', reviews };
  const [chosen] = eligible;
  return {
    action: 'link',
    personId: chosen.personId,
    via: chosen.best.recordId,
    score: chosen.best.score,
    manual: false,
    reviews: [...reviews, ...bridging(chosen.personId)],
  };
}

/** The strong neighbours of an ambiguous record (empty when it is not ambiguous). */
function ambiguousNeighbours(scores: Map<string, PairScore>, check: AmbiguityCheck): string[] {
  const strong = [...scores]
    .filter(([, score]) => score.decision === 'link')
    .sort(([, a], [, b]) => b.weight - a.weight)
    .slice(0, MAX_NEIGHBOURS)
    .map(([id]) => id);
  for (let i = 0; i < strong.length; i++) {
    for (let j = i + 1; j < strong.length; j++) {
      if (check.judge(strong[i], strong[j]).hardNegatives.some((negative) => !check.holds(negative))) return strong;
    }
  }
  return [];
}

function personVerdicts(
  recordId: string,
  scores: Map<string, PairScore>,
  state: IndexState,
  reviewWeight: number,
): PersonVerdict[] {
  const persons = new Set<string>();
  for (const other of scores.keys()) {
    const person = state.personOf.get(other);
    if (person) persons.add(person);
  }
  const verdicts: PersonVerdict[] = [];
  for (const personId of persons) {
    const members = state.othersIn(personId, recordId).filter((m) => scores.has(m));
    if (members.length === 0) continue;
    let best = { recordId: members[0], score: scores.get(members[0])! };
    for (const m of members)
      if (scores.get(m)!.weight > best.score.weight) best = { recordId: m, score: scores.get(m)! };
    const forced = members.some((m) => state.constraint(recordId, m) === 'same');
    const eligible =
      best.score.decision === 'link' &&
      !conflicts(recordId, state.othersIn(personId, recordId), scores, state, reviewWeight);
    verdicts.push({ personId, best, eligible, forced });
  }
  return verdicts;
}

function conflicts(
  recordId: string,
  members: string[],
  scores: Map<string, PairScore>,
  state: IndexState,
  reviewWeight: number,
): boolean {
  let total = 0;
  for (const m of members) {
    const score = scores.get(m);
    // A member we could not score (not loaded) is treated as a conflict: never link blind.
    if (!score || score.hardNegatives.length > 0 || state.constraint(recordId, m) === 'different') return true;
    total += score.weight;
  }
  return members.length > 0 && total / members.length < reviewWeight;
}

/** Pairs for a person to look at: between the thresholds, or a strong pair held back by a hard negative or a caution. */
function reviewRequests(recordId: string, scores: Map<string, PairScore>, state: IndexState): ReviewRequest[] {
  const requests: ReviewRequest[] = [];
  for (const [other, score] of scores) {
    if (score.decision !== 'review' || state.constraint(recordId, other)) continue;
    const reason = score.hardNegatives.length
      ? `hard negative: ${score.hardNegatives.join(', ')}`
      : score.cautions.length
        ? `needs corroboration: ${score.cautions.join(', ')}`
        : 'between thresholds';
    requests.push({ other, score, reason });
  }
  return requests;
}

function emptiedBy(current: string | undefined, recordId: string, state: IndexState): string | undefined {
  return current && state.othersIn(current, recordId).length === 0 ? current : undefined;
}
