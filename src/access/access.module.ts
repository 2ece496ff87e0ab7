import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { accessEntities } from './access.entities';
import { AgreementsResolver } from './agreements/agreements.resolver';
import { AgreementsService } from './agreements/agreements.service';
import { ConsentResolver } from './consent/consent.resolver';
import { ConsentService } from './consent/consent.service';
import { OrganisationsResolver } from './organisations/organisations.resolver';
import { OrganisationsService } from './organisations/organisations.service';
import { AccessFactsLoader, RelationshipFacts } from './policy/access-facts.loader';
import { PolicyCoverageCheck } from './policy/policy-coverage';
import { PolicyEnforcementInterceptor } from './policy/policy-enforcement.interceptor';
import { PolicyService } from './policy/policy.service';
import { ReferenceFactsCache } from './policy/reference-facts.cache';
import { PurposesService } from './purposes/purposes.service';
import { BreakGlassService } from './relationships/break-glass.service';
import { CaseAssignmentsService } from './relationships/case-assignments.service';
import { HouseholdsModule } from '../households/households.module';
import { HouseholdsService } from '../households/households.service';
import { HouseholdMembershipLookup } from './relationships/household-membership.lookup';
import { RelationshipsResolver } from './relationships/relationships.resolver';
import { AccessSeedService } from './seed/access-seed.service';

/**
 * Access control: agreements, purposes, consent and objections, caseloads, break-glass, and the policy
 * decision point with its GraphQL enforcement (PolicyEnforcementInterceptor here; the field policy,
 * `enforceFieldPolicy`, wraps every field of the schema in graphql/graphql.module.ts).
 *
 * Ports it needs from elsewhere:
 * - `AuditRecorder` (audit module): every change and every access decision is recorded; not provided here.
 * - `HouseholdMembershipLookup` (households module): which households a person is in, so that a case held
 *   for a household covers its members.
 */
@Module({
  imports: [TypeOrmModule.forFeature(accessEntities), HouseholdsModule],
  providers: [
    ReferenceFactsCache,
    PurposesService,
    OrganisationsService,
    AgreementsService,
    ConsentService,
    CaseAssignmentsService,
    BreakGlassService,
    { provide: HouseholdMembershipLookup, useExisting: HouseholdsService },
    RelationshipFacts,
    AccessFactsLoader,
    PolicyService,
    AccessSeedService,
    PolicyCoverageCheck,
    AgreementsResolver,
    OrganisationsResolver,
    ConsentResolver,
    RelationshipsResolver,
    { provide: APP_INTERCEPTOR, useClass: PolicyEnforcementInterceptor },
  ],
  exports: [PolicyService, CaseAssignmentsService, AgreementsService, ConsentService, BreakGlassService, AccessSeedService, PurposesService],
})
export class AccessModule {}
