import { Field, Int, ObjectType } from '@nestjs/graphql';
import { AuditRow } from '../audit-content';
import { SeqScalar } from './seq.scalar';

@ObjectType('AuditedField', { description: 'A field named in an audit event: its source and name, never its value.' })
export class AuditedFieldModel {
  @Field()
  source: string;

  @Field()
  field: string;
}

@ObjectType('AuditActor', { description: 'Who acted, as their verified token said.' })
export class AuditActorModel {
  @Field()
  subject: string;

  @Field()
  organisation: string;

  @Field(() => [String])
  roles: string[];

  @Field(() => String, { nullable: true })
  client: string | null;

  @Field(() => String, { nullable: true })
  team: string | null;

  @Field(() => String, { nullable: true })
  tokenId: string | null;

  @Field(() => String, { nullable: true, description: 'The identity provider (`iss`) that vouched for the actor.' })
  issuer: string | null;

  @Field(() => String, { nullable: true, description: 'The `kid` of the key that signed the actor’s token.' })
  keyId: string | null;
}

@ObjectType('AuditEvent', {
  description: 'One entry of the audit trail. Content is null once erased by a retention purge.',
})
export class AuditEventModel {
  @Field(() => SeqScalar)
  seq: number;

  @Field()
  occurredAt: Date;

  @Field()
  operation: string;

  @Field(() => String, { nullable: true, description: 'allow, allow-with-redactions, deny, error or change.' })
  decision: string | null;

  @Field(() => AuditActorModel, { nullable: true, description: 'Null for an anonymous request (a failed sign-in).' })
  actor: AuditActorModel | null;

  @Field(() => [String])
  persons: string[];

  @Field(() => [String])
  households: string[];

  @Field(() => [AuditedFieldModel])
  released: AuditedFieldModel[];

  @Field(() => [AuditedFieldModel])
  withheld: AuditedFieldModel[];

  @Field(() => String, { nullable: true })
  purpose: string | null;

  @Field(() => String, { nullable: true })
  caseReference: string | null;

  @Field(() => String, { nullable: true })
  agreementId: string | null;

  @Field(() => Int, { nullable: true })
  agreementVersion: number | null;

  @Field(() => String, { nullable: true, description: 'The lawful basis (and Art. 9 condition) relied on.' })
  basis: string | null;

  @Field(() => String, { nullable: true })
  consentId: string | null;

  @Field(() => String, { nullable: true })
  relationshipId: string | null;

  @Field(() => String, { nullable: true })
  breakGlassId: string | null;

  @Field(() => [String])
  reasons: string[];

  @Field(() => String, { nullable: true })
  requestId: string | null;

  @Field(() => String, { nullable: true, description: 'Further detail, as JSON text.' })
  detail: string | null;

  @Field()
  hash: string;

  @Field()
  prevHash: string;

  @Field(() => SeqScalar, {
    nullable: true,
    description: 'The audit.purge event that erased this event’s content, if one did.',
  })
  purgedBy: number | null;
}

@ObjectType('AuditPageInfo')
export class AuditPageInfoModel {
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor: string | null;

  @Field()
  hasNextPage: boolean;
}

@ObjectType('AuditEventConnection', { description: 'A page of audit events, newest first.' })
export class AuditEventConnectionModel {
  @Field(() => [AuditEventModel])
  nodes: AuditEventModel[];

  @Field(() => AuditPageInfoModel)
  pageInfo: AuditPageInfoModel;
}

export function toAuditEventModel(row: AuditRow): AuditEventModel {
  return {
    seq: Number(row.seq),
    occurredAt: new Date(row.occurred_at),
    operation: row.operation,
    decision: row.decision,
    actor:
      row.actor_subject === null
        ? null
        : {
            subject: row.actor_subject,
            organisation: row.actor_organisation ?? '',
            roles: row.actor_roles ?? [],
            client: row.actor_client,
            team: row.actor_team,
            tokenId: row.actor_token_id,
            issuer: row.actor_issuer ?? null,
            keyId: row.actor_key_id ?? null,
          },
    persons: row.persons ?? [],
    households: row.households ?? [],
    released: row.released ?? [],
    withheld: row.withheld ?? [],
    purpose: row.purpose,
    caseReference: row.case_reference,
    agreementId: row.agreement_id,
    agreementVersion: row.agreement_version,
    basis: row.basis,
    consentId: row.consent_id,
    relationshipId: row.relationship_id,
    breakGlassId: row.break_glass_id,
    reasons: row.reasons ?? [],
    requestId: row.request_id,
    detail: row.detail === null ? null : JSON.stringify(row.detail),
    hash: row.hash,
    prevHash: row.prev_hash,
    purgedBy: row.purged_by === null ? null : Number(row.purged_by),
  };
}
