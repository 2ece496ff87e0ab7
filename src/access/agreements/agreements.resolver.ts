import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { AgreementModel } from '../access.models';
import { AgreementStatusValue } from '../graphql-enums';
import { Roles } from '../../engine/policy/policy.decorator';
import { AgreementStatus } from '../policy/policy.types';
import { AgreementEntity } from './agreement.entity';
import { AgreementContent } from './agreement-validation';
import { AgreementsService } from './agreements.service';
import { AgreementContentInput } from './dto/agreement.input';

const everyRole = Object.values(Role);

/** The agreements admin API: anyone signed in may read the agreements (they are published documents); admins and the DPO change them. */
@Resolver(() => AgreementModel)
export class AgreementsResolver {
  constructor(private readonly service: AgreementsService) {}

  @Query(() => [AgreementModel], { description: 'Every agreement version, latest first, optionally by status.' })
  @Roles(...everyRole)
  async agreements(
    @Args('status', { type: () => AgreementStatusValue, nullable: true }) status?: AgreementStatus,
  ): Promise<AgreementModel[]> {
    return (await this.service.list(status)).map(toModel);
  }

  @Query(() => AgreementModel, { description: 'One version of an agreement; the latest when no version is given.' })
  @Roles(...everyRole)
  async agreement(
    @Args('id') id: string,
    @Args('version', { type: () => Int, nullable: true }) version?: number,
  ): Promise<AgreementModel> {
    return toModel(await this.service.get(id, version));
  }

  @Query(() => [AgreementModel], { description: 'Every version of one agreement, latest first.' })
  @Roles(...everyRole)
  async agreementVersions(@Args('id') id: string): Promise<AgreementModel[]> {
    return (await this.service.versions(id)).map(toModel);
  }

  @Mutation(() => AgreementModel, { description: 'A new agreement: version 1, as a draft.' })
  @Roles(Role.Admin, Role.Dpo)
  async createAgreement(
    @Args('id') id: string,
    @Args('content') content: AgreementContentInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<AgreementModel> {
    return toModel(await this.service.create(id, toContent(content), actor));
  }

  @Mutation(() => AgreementModel, {
    description: 'The next version of an agreement, as a draft; earlier versions are kept unchanged.',
  })
  @Roles(Role.Admin, Role.Dpo)
  async addAgreementVersion(
    @Args('id') id: string,
    @Args('content') content: AgreementContentInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<AgreementModel> {
    return toModel(await this.service.addVersion(id, toContent(content), actor));
  }

  @Mutation(() => AgreementModel, {
    description: 'Activate, suspend or expire a version. Activating supersedes the version in force.',
  })
  @Roles(Role.Admin, Role.Dpo)
  async setAgreementStatus(
    @Args('id') id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('status', { type: () => AgreementStatusValue }) status: AgreementStatus,
    @Args('reason') reason: string,
    @CurrentPrincipal() actor: Principal,
  ): Promise<AgreementModel> {
    return toModel(await this.service.setStatus(id, version, status, reason, actor));
  }
}

function toContent(input: AgreementContentInput): AgreementContent {
  return {
    ...input,
    specialCategoryCondition: input.specialCategoryCondition ?? null,
    validTo: input.validTo ?? null,
    expectedDailyVolume: input.expectedDailyVolume ?? null,
    refuseAboveExpectedVolume: input.refuseAboveExpectedVolume ?? false,
  };
}

export function toModel(row: AgreementEntity): AgreementModel {
  return {
    id: row.id,
    version: row.version,
    title: row.title,
    parties: row.parties,
    purposes: row.purposes,
    lawfulBasis: row.lawfulBasis,
    specialCategoryCondition: row.specialCategoryArticle9
      ? {
          article9: row.specialCategoryArticle9,
          schedule1Paragraph: row.specialCategorySchedule1Paragraph ?? undefined,
        }
      : undefined,
    releases: Object.entries(row.releases).map(([purpose, fields]) => ({ purpose, fields })),
    roles: row.roles,
    caseReferenceRequired: row.caseReferenceRequired,
    expectedDailyVolume: row.expectedDailyVolume ?? undefined,
    refuseAboveExpectedVolume: row.refuseAboveExpectedVolume,
    validFrom: row.validFrom,
    validTo: row.validTo ?? undefined,
    reviewDate: row.reviewDate,
    status: row.status,
    statusReason: row.statusReason ?? undefined,
    statusChangedBy: row.statusChangedBy ?? undefined,
    statusChangedAt: row.statusChangedAt ?? undefined,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}
