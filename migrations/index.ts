import { Extensions1763800000000 } from './1763800000000-extensions';
import { RateLimit1763800100000 } from './1763800100000-rate-limit';
import { SourceRecords1763801000000 } from './1763801000000-source-records';
import { IdentityIndex1763802000000 } from './1763802000000-identity-index';
import { Households1763802500000 } from './1763802500000-households';
import { AccessControl1763803000000 } from './1763803000000-access-control';
import { AuditTrail1763804000000 } from './1763804000000-audit-trail';
import { PersonSearch1763805000000 } from './1763805000000-person-search';
import { QuarantineRetention1763806000000 } from './1763806000000-quarantine-retention';
import { TrustBoundary1763807000000 } from './1763807000000-trust-boundary';
import { ObjectionReview1763808000000 } from './1763808000000-objection-review';
import { ServiceTeams1763808500000 } from './1763808500000-service-teams';
import { PersonMergeRequests1763809000000 } from './1763809000000-person-merge-requests';
import { HarvestingLimits1763811000000 } from './1763811000000-harvesting-limits';
import { ConsoleSessions1763813000000 } from './1763813000000-console-sessions';
import { LifeEvents1763814000000 } from './1763814000000-life-events';
import { LifeEventIntake1763814100000 } from './1763814100000-life-event-intake';
import { ReportedIdentityMatching1763814200000 } from './1763814200000-reported-identity-matching';
import { JobQueue1763814300000 } from './1763814300000-job-queue';

/** Every migration, in order. A new migration is added here as well as in its own file. */
export const migrations = [
  Extensions1763800000000,
  RateLimit1763800100000,
  SourceRecords1763801000000,
  IdentityIndex1763802000000,
  Households1763802500000,
  AccessControl1763803000000,
  AuditTrail1763804000000,
  PersonSearch1763805000000,
  QuarantineRetention1763806000000,
  TrustBoundary1763807000000,
  ObjectionReview1763808000000,
  ServiceTeams1763808500000,
  PersonMergeRequests1763809000000,
  HarvestingLimits1763811000000,
  ConsoleSessions1763813000000,
  LifeEvents1763814000000,
  LifeEventIntake1763814100000,
  ReportedIdentityMatching1763814200000,
  JobQueue1763814300000,
];
