import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal, Role } from '../../engine/principal';
import { AgreementEntity } from '../agreements/agreement.entity';
import { AgreementsService } from '../agreements/agreements.service';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { AgreementStatus } from '../policy/policy.types';
import { demoAgreements, demoOrganisations } from './demo-seed';

const seeder: Principal = { subject: 'hub-demo-seed', organisation: 'council', roles: [Role.Admin] };

export interface SeedSummary {
  organisationsCreated: string[];
  agreementsCreated: string[];
}

/**
 * Loads the demo organisations and agreements. Idempotent: what exists is left exactly as it is (an
 * administrator may have changed it since), so running it twice changes nothing. Each agreement is created
 * and activated in one transaction, audited like any other change.
 */
@Injectable()
export class AccessSeedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly audit: AuditRecorder,
  ) {}

  async seedDemo(): Promise<SeedSummary> {
    const summary: SeedSummary = { organisationsCreated: [], agreementsCreated: [] };
    try {
      await this.seedIn(summary);
    } finally {
      this.agreements.factsChanged();
    }
    return summary;
  }

  private async seedIn(summary: SeedSummary): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      // One seeder at a time (two hub instances starting together).
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', ['access-demo-seed']);
      const repo = tx.getRepository(OrganisationEntity);
      for (const organisation of demoOrganisations) {
        if (await repo.existsBy({ id: organisation.id })) continue;
        await repo.insert({ ...organisation, createdBy: seeder.subject });
        await this.audit.record(
          {
            actor: seeder,
            operation: 'organisation.create',
            decision: 'change',
            detail: { organisation: organisation.id, seed: true },
          },
          tx,
        );
        summary.organisationsCreated.push(organisation.id);
      }
      for (const { id, content } of demoAgreements) {
        if (await tx.getRepository(AgreementEntity).existsBy({ id })) continue;
        await this.agreements.create(id, content, seeder, tx);
        await this.agreements.setStatus(id, 1, AgreementStatus.Active, 'demo seed', seeder, tx);
        summary.agreementsCreated.push(id);
      }
    });
  }
}
