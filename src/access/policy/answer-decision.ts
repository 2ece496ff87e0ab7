import { Principal } from '../../engine/principal';
import { decide } from './decide';
import { ALWAYS_SPECIAL_SOURCES } from './field-ref';
import {
  AccessContext,
  AgreementFact,
  ConsentFact,
  Decision,
  FieldRef,
  LawfulBasis,
  PolicyFacts,
  PolicySubject,
  Scope,
} from './policy.types';

/**
 * An answer the hub computes from sources' data and releases on its own, without the data: e.g. "is this
 * pupil eligible for free school meals?" released as `hub.eligibility.freeSchoolMeals`.
 */
export interface DerivedAnswer {
  /** The agreement field that releases the answer (source `hub`). */
  ref: FieldRef;
  /** The sources the answer is computed from. */
  inputSources: readonly string[];
}

/**
 * "Answers only": the decision point's ruling on releasing one derived answer. The answer is a field like
 * any other (`decide` applies purpose, agreement, role, case reference, caseload and the hub-scoped
 * objection and consent rules to it), and because it is computed from the input sources, whatever would
 * stop those sources being used for this recipient stops the answer too: an objection or restriction
 * covering an input source, missing consent for an input source under a consent-based agreement, and
 * special-category inputs under an agreement that names no Art. 9 condition. Pure, like `decide`.
 */
export function decideAnswer(
  principal: Principal,
  context: AccessContext,
  subject: PolicySubject,
  answer: DerivedAnswer,
  facts: PolicyFacts,
): Decision {
  const decision = decide(principal, context, subject, [answer.ref], facts);
  if (decision.effect !== 'allow' || !decision.agreement) return decision;
  const agreement = facts.agreements.find(
    (a) => a.id === decision.agreement!.id && a.version === decision.agreement!.version,
  )!;
  const scope = { purpose: context.purpose!, recipientOrganisation: principal.organisation };
  const consentIds = decision.consentId ? [decision.consentId] : [];
  let special = false;
  for (const source of new Set(answer.inputSources)) {
    const isSpecial = isSpecialSource(source, facts);
    special ||= isSpecial;
    const refusal = inputRefusal(source, isSpecial, agreement, { ...scope, source }, subject, facts, consentIds);
    if (refusal) {
      const reason = `derived from ${source} data: ${refusal}`;
      return {
        effect: 'deny',
        released: [],
        withheld: [{ field: answer.ref, reason }],
        reasons: [...decision.reasons, `${answer.ref}: ${reason}`],
        agreement: decision.agreement,
      };
    }
  }
  const condition = agreement.specialCategoryCondition;
  const basis =
    special && condition && !decision.basis?.includes('Art. 9')
      ? `${decision.basis}; UK GDPR Art. 9(2)(${condition.article9})${condition.schedule1Paragraph ? ` with DPA 2018 Sch. 1 para ${condition.schedule1Paragraph}` : ''}`
      : decision.basis;
  return { ...decision, basis, ...(consentIds.length > 0 ? { consentId: consentIds[0] } : {}) };
}

function inputRefusal(
  source: string,
  isSpecial: boolean,
  agreement: AgreementFact,
  scope: Required<Scope>,
  subject: PolicySubject,
  facts: PolicyFacts,
  consentIds: string[],
): string | undefined {
  if (isSpecial && !agreement.specialCategoryCondition)
    return `special category data, and agreement ${agreement.id} v${agreement.version} names no Art. 9 condition`;
  const objection = facts.objections.find(
    (o) => o.personId === subject.personId && covers(o, scope) && within(facts.now, o.validFrom, o.liftedAt),
  );
  if (objection) {
    return `${objection.kind === 'objection' ? 'objection (UK GDPR Art. 21)' : 'restriction of processing (UK GDPR Art. 18)'} ${objection.id} covers this`;
  }
  if (agreement.lawfulBasis !== LawfulBasis.Consent) return undefined;
  const consent = latestConsent(facts.consents, subject.personId, scope, facts.now);
  if (!consent) return 'the agreement rests on consent and none is recorded for this source';
  if (consent.status !== 'given') return `consent ${consent.status} (${consent.id})`;
  if (!consentIds.includes(consent.id)) consentIds.push(consent.id);
  return undefined;
}

function isSpecialSource(source: string, facts: PolicyFacts): boolean {
  // A category-level entry (`source.category`) makes the whole source special here: an answer may draw on any category.
  return (
    ALWAYS_SPECIAL_SOURCES.has(source) ||
    facts.specialCategories.some((entry) => entry === source || entry.startsWith(`${source}.`))
  );
}

function latestConsent(
  consents: readonly ConsentFact[],
  personId: string,
  scope: Required<Scope>,
  now: Date,
): ConsentFact | undefined {
  return consents
    .filter((c) => c.personId === personId && covers(c, scope) && within(now, c.validFrom, c.validTo))
    .sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || b.id.localeCompare(a.id))[0];
}

function covers(scope: Scope, wanted: Required<Scope>): boolean {
  return (
    (!scope.purpose || scope.purpose === wanted.purpose) &&
    (!scope.recipientOrganisation || scope.recipientOrganisation === wanted.recipientOrganisation) &&
    (!scope.source || scope.source === wanted.source)
  );
}

function within(now: Date, from?: Date, to?: Date): boolean {
  const at = now.getTime();
  return (!from || from.getTime() <= at) && (!to || at < to.getTime());
}
