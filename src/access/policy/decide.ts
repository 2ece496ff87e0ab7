import { Principal, Role } from '../../engine/principal';
import { DERIVED_FIELDS, sourceKnownRef, specialSources } from './derived-fields';
import { declaredSpecial, EXISTENCE_FIELDS, parseFieldRef, ParsedFieldRef } from './field-ref';
import {
  AccessContext,
  AgreementFact,
  AgreementStatus,
  BreakGlassFact,
  CaseAssignmentFact,
  ConsentFact,
  Decision,
  DerivedSource,
  FieldRef,
  LawfulBasis,
  lawfulBasisArticle,
  PolicyFacts,
  PolicySubject,
  Scope,
  WithheldField,
} from './policy.types';

/** Roles whose access to person-level detail depends on the person being on their caseload. */
export const RELATIONSHIP_ROLES: ReadonlySet<Role> = new Set([Role.AccountManager, Role.Caseworker]);

/**
 * The one policy decision point. Pure: the same principal, context, subject, fields and facts always give
 * the same decision, so it can be tested exhaustively and explained afterwards. Deny by default: a field
 * is released only when an active agreement in force releases it for the purpose to one of the principal's
 * roles, and no relationship, special-category, objection or consent rule withholds it.
 */
export function decide(
  principal: Principal,
  context: AccessContext,
  subject: PolicySubject,
  requestedFields: readonly FieldRef[],
  facts: PolicyFacts,
): Decision {
  const requested = [...new Set(requestedFields)];
  const reasons: string[] = [];
  const denyAll = (reason: string): Decision => ({
    effect: 'deny',
    released: [],
    withheld: requested.map((field) => ({ field, reason, about: 'request' as const })),
    reasons: [...reasons, reason],
  });

  if (principal.roles.length === 0) return denyAll('the principal holds no hub role');
  const purpose = context.purpose;
  if (!purpose) return denyAll('no purpose was given (x-purpose)');
  if (!facts.purposes.includes(purpose)) return denyAll(`purpose ${purpose} is not in the purposes catalogue`);

  const applicable: AgreementFact[] = [];
  for (const agreement of facts.agreements) {
    const refusal = agreementRefusal(agreement, principal, purpose, facts.now);
    if (refusal) reasons.push(refusal);
    else applicable.push(agreement);
  }
  if (applicable.length === 0) {
    return denyAll(
      `no active agreement lets ${principal.organisation} (${principal.roles.join(', ')}) use data for ${purpose}`,
    );
  }
  const usable = applicable.filter((agreement) => !agreement.caseReferenceRequired || hasText(context.caseReference));
  if (usable.length === 0) {
    return denyAll(`${label(applicable[0])} requires a case reference (x-case-reference) for ${purpose}`);
  }
  const agreement = bestAgreement(usable, purpose, requested);
  const allowList = releaseSet(agreement, purpose);
  reasons.push(`${label(agreement)} "${agreement.title}" permits ${purpose}`);

  const relationship = findRelationship(principal, agreement, context, subject, facts, reasons);

  const released: FieldRef[] = [];
  const withheld: WithheldField[] = [];
  const consentIds = new Set<string>();
  const check: FieldCheck = { principal, purpose, subject, facts, agreement, allowList, relationship, consentIds };
  let special = false;
  let rulings: Ruling[] | undefined;
  for (const field of requested) {
    const parsed = parseFieldRef(field);
    let refusal = parsed
      ? fieldRefusal(field, parsed, check)
      : aboutRequest(`${field} is not a field reference (source.category.field)`);
    const derivation = DERIVED_FIELDS.get(field);
    if (!refusal && derivation) {
      rulings ??= rulingsOnDerived(check);
      const kept = rulings.filter((r) => r.refusal);
      if (derivation === 'whole' && kept.length > 0) {
        // A count or flag over every source cannot leave one out: it goes only if every special source may.
        refusal = {
          ...kept[0].refusal!,
          reason: `derived from ${kept[0].source}, special category: ${kept[0].refusal!.reason}`,
        };
      } else {
        for (const r of kept)
          reasons.push(`${field}: what is derived from ${r.source} is left out: ${r.refusal!.reason}`);
        if (rulings.some((r) => !r.refusal)) special = true;
      }
    }
    if (refusal) withheld.push({ field, ...refusal });
    else {
      released.push(field);
      if (parsed && isSpecial(parsed, facts)) special = true;
    }
  }

  const effect =
    released.length === requested.length ? 'allow' : released.length === 0 ? 'deny' : 'allow-with-redactions';
  return {
    effect,
    released,
    withheld,
    reasons: [...reasons, ...withheld.map((item) => `${item.field}: ${item.reason}`)],
    agreement: { id: agreement.id, version: agreement.version },
    basis: describeBasis(agreement, special),
    ...(consentIds.size > 0 ? { consentId: [...consentIds][0] } : {}),
    ...(relationship.assignment ? { relationshipId: relationship.assignment.id } : {}),
    ...(relationship.grant ? { breakGlassId: relationship.grant.id } : {}),
    ...(rulings && released.some((field) => DERIVED_FIELDS.has(field))
      ? { derivedSources: rulings.map(derivedSource) }
      : {}),
  };
}

/**
 * For each special-category source: may what is derived from it (its records' keys, its teams' names) go
 * with a released derived field? Only where the fact that the source knows the person would be released
 * itself (`<source>.involvement.known`): listed for the purpose, under an Art. 9 condition, with the
 * relationship, and no objection, restriction or missing consent covering that source.
 */
function rulingsOnDerived(check: FieldCheck): Ruling[] {
  return specialSources(check.facts.specialCategories).map((source) => {
    const ref = sourceKnownRef(source);
    const refusal = fieldRefusal(ref, parseFieldRef(ref)!, check);
    return { source, ...(refusal ? { refusal: { ...refusal, reason: `${ref}: ${refusal.reason}` } } : {}) };
  });
}

interface Ruling {
  source: string;
  refusal?: Refusal;
}

const derivedSource = (r: Ruling): DerivedSource =>
  r.refusal ? { source: r.source, released: false, reason: r.refusal.reason } : { source: r.source, released: true };

function agreementRefusal(
  agreement: AgreementFact,
  principal: Principal,
  purpose: string,
  now: Date,
): string | undefined {
  if (!agreement.parties.includes(principal.organisation))
    return `${label(agreement)}: ${principal.organisation} is not a party`;
  if (agreement.status !== AgreementStatus.Active) return `${label(agreement)} is ${agreement.status}`;
  if (now < agreement.validFrom)
    return `${label(agreement)} is not in force until ${agreement.validFrom.toISOString()}`;
  if (agreement.validTo && now >= agreement.validTo)
    return `${label(agreement)} expired on ${agreement.validTo.toISOString()}`;
  if (!agreement.purposes.includes(purpose)) return `${label(agreement)} does not permit ${purpose}`;
  if (!agreement.roles.some((role) => principal.roles.includes(role)))
    return `${label(agreement)} does not allow roles ${principal.roles.join(', ')}`;
  return undefined;
}

/** The agreement releasing most of what was asked; ties go to the latest in force, then by id, so the choice is stable. */
function bestAgreement(agreements: AgreementFact[], purpose: string, requested: FieldRef[]): AgreementFact {
  const scored = agreements.map((agreement) => {
    const released = releaseSet(agreement, purpose);
    return { agreement, score: requested.reduce((n, field) => (released.has(field) ? n + 1 : n), 0) };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      b.agreement.validFrom.getTime() - a.agreement.validFrom.getTime() ||
      a.agreement.id.localeCompare(b.agreement.id) ||
      b.agreement.version - a.agreement.version,
  );
  return scored[0].agreement;
}

// Allow-lists as sets, kept per agreement object: facts are read-only, so this is a cache, not state.
const releaseSets = new WeakMap<AgreementFact, Map<string, ReadonlySet<FieldRef>>>();

function releaseSet(agreement: AgreementFact, purpose: string): ReadonlySet<FieldRef> {
  let byPurpose = releaseSets.get(agreement);
  if (!byPurpose) releaseSets.set(agreement, (byPurpose = new Map()));
  let set = byPurpose.get(purpose);
  if (!set) byPurpose.set(purpose, (set = new Set(agreement.releases[purpose] ?? [])));
  return set;
}

interface Relationship {
  required: boolean;
  assignment?: CaseAssignmentFact;
  grant?: BreakGlassFact;
}

function findRelationship(
  principal: Principal,
  agreement: AgreementFact,
  context: AccessContext,
  subject: PolicySubject,
  facts: PolicyFacts,
  reasons: string[],
): Relationship {
  // A principal needs a relationship only when every role the agreement lets it use is a caseload role.
  const roles = principal.roles.filter((role) => agreement.roles.includes(role));
  const required = roles.every((role) => RELATIONSHIP_ROLES.has(role));
  if (!required) return { required };
  const households = new Set(
    facts.households
      .filter((m) => m.personId === subject.personId && within(subject.relationshipAt ?? facts.now, m.from, m.to))
      .map((m) => m.householdId),
  );
  const assignment = facts.assignments.find(
    (a) =>
      (a.subjectKind === 'person' ? a.subjectId === subject.personId : households.has(a.subjectId)) &&
      // A team or user name means something only inside its own organisation.
      a.organisation === principal.organisation &&
      (a.userSubject ? a.userSubject === principal.subject : !!principal.team && a.team === principal.team) &&
      within(facts.now, a.validFrom, a.validTo),
  );
  if (assignment) {
    reasons.push(
      `on the caseload of ${assignment.userSubject ? `user ${assignment.userSubject}` : `team ${assignment.team}`} of ${assignment.organisation} (assignment ${assignment.id})`,
    );
    return { required, assignment };
  }
  if (context.breakGlassId) {
    const grant = facts.breakGlassGrants.find((g) => g.id === context.breakGlassId);
    const refusal = breakGlassRefusal(grant, principal, context, subject, facts.now);
    if (!refusal) {
      reasons.push(`break-glass grant ${grant!.id} until ${grant!.expiresAt.toISOString()}`);
      return { required, grant };
    }
    reasons.push(`break-glass grant ${context.breakGlassId} not used: ${refusal}`);
  }
  reasons.push(
    `${subject.personId} is not on the caseload of ${principal.subject}${principal.team ? ` or team ${principal.team}` : ''}`,
  );
  return { required };
}

function breakGlassRefusal(
  grant: BreakGlassFact | undefined,
  principal: Principal,
  context: AccessContext,
  subject: PolicySubject,
  now: Date,
): string | undefined {
  if (!grant) return 'no such grant';
  if (grant.granteeSubject !== principal.subject || grant.granteeOrganisation !== principal.organisation)
    return 'granted to someone else';
  if (grant.personId !== subject.personId) return 'granted for another person';
  if (grant.purpose !== context.purpose) return `granted for purpose ${grant.purpose}`;
  if (grant.revokedAt && grant.revokedAt <= now) return 'revoked';
  if (now < grant.grantedAt) return 'not yet in force';
  if (now >= grant.expiresAt) return `expired at ${grant.expiresAt.toISOString()}`;
  return undefined;
}

interface FieldCheck {
  principal: Principal;
  purpose: string;
  subject: PolicySubject;
  facts: PolicyFacts;
  agreement: AgreementFact;
  allowList: ReadonlySet<FieldRef>;
  relationship: Relationship;
  consentIds: Set<string>;
  /** The person's latest covering consent per source, worked out once per decision. */
  consentBySource?: Map<string, ConsentFact | undefined>;
}

interface Refusal {
  reason: string;
  about: 'request' | 'person';
}

const aboutRequest = (reason: string): Refusal => ({ reason, about: 'request' });
const aboutPerson = (reason: string): Refusal => ({ reason, about: 'person' });

function fieldRefusal(field: FieldRef, parsed: ParsedFieldRef, check: FieldCheck): Refusal | undefined {
  const { agreement, purpose, facts, subject } = check;
  if (!check.allowList.has(field)) return aboutRequest(`not released by ${label(agreement)} for ${purpose}`);
  if (
    check.relationship.required &&
    !check.relationship.assignment &&
    !check.relationship.grant &&
    !EXISTENCE_FIELDS.has(field)
  ) {
    return aboutPerson(
      'no legitimate relationship: the person is not on your caseload and no valid break-glass grant was given',
    );
  }
  // A field derived from the sources may carry special-category facts: it is special category itself.
  if ((isSpecial(parsed, facts) || DERIVED_FIELDS.has(field)) && !agreement.specialCategoryCondition) {
    return aboutRequest(`special category data: ${label(agreement)} names no Art. 9 condition`);
  }
  const scope = { purpose, recipientOrganisation: check.principal.organisation, source: parsed.source };
  const objection = facts.objections.find(
    (o) => o.personId === subject.personId && inScope(o, scope) && within(facts.now, o.validFrom, o.liftedAt),
  );
  if (objection) {
    return aboutPerson(
      `${objection.kind === 'objection' ? 'objection (UK GDPR Art. 21)' : 'restriction of processing (UK GDPR Art. 18)'} ${objection.id} covers this`,
    );
  }
  if (agreement.lawfulBasis === LawfulBasis.Consent) {
    check.consentBySource ??= new Map();
    if (!check.consentBySource.has(parsed.source)) {
      check.consentBySource.set(parsed.source, latestConsent(facts.consents, subject.personId, scope, facts.now));
    }
    const consent = check.consentBySource.get(parsed.source);
    if (!consent) return aboutPerson('the agreement rests on consent and none is recorded for this scope');
    if (consent.status !== 'given') return aboutPerson(`consent ${consent.status} (${consent.id})`);
    check.consentIds.add(consent.id);
  }
  return undefined;
}

/** The most recent consent record covering the scope: a later withdrawal or refusal overrides an earlier consent. */
function latestConsent(
  consents: readonly ConsentFact[],
  personId: string,
  scope: Required<Scope>,
  now: Date,
): ConsentFact | undefined {
  return consents
    .filter((c) => c.personId === personId && inScope(c, scope) && within(now, c.validFrom, c.validTo))
    .sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || b.id.localeCompare(a.id))[0];
}

function inScope(scope: Scope, wanted: Required<Scope>): boolean {
  return (
    (!scope.purpose || scope.purpose === wanted.purpose) &&
    (!scope.recipientOrganisation || scope.recipientOrganisation === wanted.recipientOrganisation) &&
    (!scope.source || scope.source === wanted.source)
  );
}

function isSpecial(parsed: ParsedFieldRef, facts: PolicyFacts): boolean {
  return (
    declaredSpecial(parsed) ||
    facts.specialCategories.includes(parsed.source) ||
    facts.specialCategories.includes(`${parsed.source}.${parsed.category}`)
  );
}

function describeBasis(agreement: AgreementFact, special: boolean): string {
  const basis = lawfulBasisArticle[agreement.lawfulBasis];
  const condition = agreement.specialCategoryCondition;
  if (!special || !condition) return basis;
  const paragraph = condition.schedule1Paragraph ? ` with DPA 2018 Sch. 1 para ${condition.schedule1Paragraph}` : '';
  return `${basis}; UK GDPR Art. 9(2)(${condition.article9})${paragraph}`;
}

function within(now: Date, from?: Date, to?: Date): boolean {
  const at = now.getTime();
  return (!from || from.getTime() <= at) && (!to || at < to.getTime());
}

function hasText(value?: string): boolean {
  return !!value && value.trim() !== '';
}

function label(agreement: AgreementFact): string {
  return `agreement ${agreement.id} v${agreement.version}`;
}
