import { performance } from 'node:perf_hooks';
import { decide } from '../src/access/policy/decide';
import { AgreementStatus, LawfulBasis, PolicyFacts } from '../src/access/policy/policy.types';
import { Role } from '../src/engine/principal';

/**
 * `npm run bench:policy`: decisions per second of the pure policy decision point, on a council-sized set
 * of facts (40 agreements, each releasing 60 fields; 30 consents, 10 objections and 200 assignments for
 * the person), asking for 40 fields at a time. Target: at least 2,000 decisions/s on one core, so the
 * decision itself is never what limits a request.
 */
const personId = '0b6f7d2e-1c1a-4a55-9d2b-0f3c1b2a0001';
const fields = Array.from({ length: 60 }, (_, i) => `housing.tenancy.field${i}`);
const facts: PolicyFacts = {
  now: new Date(),
  purposes: ['EARLY_HELP', 'SAFEGUARDING', 'HOUSING_NEED', 'BENEFIT_ELIGIBILITY', 'TELL_US_ONCE'],
  specialCategories: [],
  agreements: Array.from({ length: 40 }, (_, i) => ({
    id: `dsa-${i}`,
    version: 1,
    title: `Agreement ${i}`,
    parties: ['council'],
    purposes: ['EARLY_HELP'],
    lawfulBasis: i % 2 ? LawfulBasis.PublicTask : LawfulBasis.Consent,
    releases: { EARLY_HELP: fields },
    roles: [Role.Caseworker],
    caseReferenceRequired: false,
    validFrom: new Date('2024-01-01'),
    status: AgreementStatus.Active,
  })),
  consents: Array.from({ length: 30 }, (_, i) => ({
    id: `c${i}`,
    personId,
    status: 'given' as const,
    validFrom: new Date('2024-01-01'),
    recordedAt: new Date(2024, 0, i + 1),
  })),
  objections: Array.from({ length: 10 }, (_, i) => ({
    id: `o${i}`,
    personId,
    kind: 'objection' as const,
    purpose: 'SAFEGUARDING',
    validFrom: new Date('2024-01-01'),
  })),
  assignments: Array.from({ length: 200 }, (_, i) => ({
    id: `a${i}`,
    subjectKind: 'person' as const,
    organisation: 'council',
    subjectId: i === 199 ? personId : `other-${i}`,
    team: 'housing-options',
    validFrom: new Date('2024-01-01'),
  })),
  breakGlassGrants: [],
  households: [],
};
const principal = { subject: 'cw', organisation: 'council', roles: [Role.Caseworker], team: 'housing-options' };
const requested = fields.slice(0, 40);

for (let i = 0; i < 2_000; i++) decide(principal, { purpose: 'EARLY_HELP' }, { personId }, requested, facts);
const runs = 20_000;
const start = performance.now();
let released = 0;
for (let i = 0; i < runs; i++)
  released += decide(principal, { purpose: 'EARLY_HELP' }, { personId }, requested, facts).released.length;
const seconds = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({ decisions: runs, fieldsPerDecision: requested.length, decisionsPerSecond: Math.round(runs / seconds), microsecondsPerDecision: Math.round((seconds / runs) * 1e6), released: released / runs })}\n`,
);
