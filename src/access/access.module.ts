import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { accessEntities } from './access.entities';
import { AgreementsResolver } from './agreements/agreements.resolver';
import { AgreementsService } from './agreements/agreements.service';
import { ConsentResolver } from './consent/consent.resolver';
import { ConsentService } from './consent/consent.service';
import { CaseReferenceSpread } from './disclosure/case-reference-spread';
import { DisclosureLimits } from './disclosure/disclosure-limits.service';
import { ObjectionReviewsService } from './consent/objection-reviews.service';
import { RecordingStanding } from './consent/recording-standing';
import { OrganisationsResolver } from './organisations/organisations.resolver';
import { OrganisationsService } from './organisations/organisations.service';
import { AccessFactsLoader, RelationshipFacts } from './policy/access-facts.loader';
import { PolicyCoverageCheck } from '../engine/policy/policy-coverage';
import { PolicyEnforcementInterceptor } from '../engine/policy/policy-enforcement.interceptor';
import { SubjectDecisions } from '../engine/policy/subject-decisions';
import { PolicyService } from './policy/policy.service';
import { ReferenceFactsCache } from './policy/reference-facts.cache';
import { PurposesService } from './purposes/purposes.service';
import { BreakGlassService } from './relationships/break-glass.service';
import { CaseAssignmentsService } from './relationships/case-assignments.service';
import { RelationshipsResolver } from './relationships/relationships.resolver';
import { ServiceTeamsResolver } from './relationships/service-teams.resolver';
import { ServiceTeamsService } from './relationships/service-teams.service';
import { AccessSeedService } from './seed/access-seed.service';

/**
 * Access control: agreements, purposes, consent and objections, caseloads, break-glass, and the policy
 * decision point with its GraphQL enforcement (PolicyEnforcementInterceptor here; the field policy,
 * `enforceFieldPolicy`, wraps every field of the schema in graphql/graphql.module.ts).
 *
 * Ports it needs from elsewhere:
 * - `AuditRecorder` (audit module): every change and every access decision is recorded; not provided here.
 * The relationship facts read the households module's `household_membership` table directly (a case held
 * for a household covers its members), in the same query as the case assignments.
 */
@Module({
  imports: [TypeOrmModule.forFeature(accessEntities)],
  providers: [
    ReferenceFactsCache,
    PurposesService,
    OrganisationsService,
    AgreementsService,
    ConsentService,
    RecordingStanding,
    ObjectionReviewsService,
    CaseAssignmentsService,
    BreakGlassService,
    ServiceTeamsService,
    RelationshipFacts,
    AccessFactsLoader,
    CaseReferenceSpread,
    DisclosureLimits,
    PolicyService,
    AccessSeedService,
    PolicyCoverageCheck,
    AgreementsResolver,
    OrganisationsResolver,
    ConsentResolver,
    RelationshipsResolver,
    ServiceTeamsResolver,
    { provide: SubjectDecisions, useExisting: PolicyService },
    { provide: APP_INTERCEPTOR, useClass: PolicyEnforcementInterceptor },
  ],
  exports: [
    PolicyService,
    AccessFactsLoader,
    CaseAssignmentsService,
    AgreementsService,
    ConsentService,
    BreakGlassService,
    AccessSeedService,
    PurposesService,
  ],
})
export class AccessModule {}
