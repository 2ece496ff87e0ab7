import { AgreementEntity } from './agreements/agreement.entity';
import { ConsentEntity } from './consent/consent.entity';
import { ObjectionEntity } from './consent/objection.entity';
import { OrganisationEntity } from './organisations/organisation.entity';
import { PurposeEntity } from './purposes/purpose.entity';
import { BreakGlassEntity } from './relationships/break-glass.entity';
import { CaseAssignmentEntity } from './relationships/case-assignment.entity';
import { ServiceTeamEntity } from './relationships/service-team.entity';

/** Every entity of the access module (for TypeOrmModule.forFeature and test data sources). */
export const accessEntities = [
  OrganisationEntity,
  PurposeEntity,
  AgreementEntity,
  ConsentEntity,
  ObjectionEntity,
  CaseAssignmentEntity,
  BreakGlassEntity,
  ServiceTeamEntity,
];
