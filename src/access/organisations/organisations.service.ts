import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { invalidRecord } from '../../engine/access.exception';
import { ReferenceFactsCache } from '../policy/reference-facts.cache';
import { OrganisationEntity, OrganisationKind } from './organisation.entity';

const kinds: OrganisationKind[] = ['council', 'nhs', 'police', 'housing-association', 'voluntary', 'other'];

/** The organisations that can be party to an agreement (the council and its partners). */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly cache: ReferenceFactsCache,
  ) {}

  list(): Promise<OrganisationEntity[]> {
    return this.dataSource.getRepository(OrganisationEntity).find({ order: { id: 'ASC' } });
  }

  async create(
    input: { id: string; name: string; kind: OrganisationKind },
    actor: Principal,
  ): Promise<OrganisationEntity> {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.id))
      throw invalidRecord('An organisation id is 2-63 lower-case letters, digits and dashes');
    // The table's check: a longer name failed there as an internal error.
    if (!input.name.trim() || input.name.trim().length > 200)
      throw invalidRecord('An organisation needs a name of 1 to 200 characters');
    if (!kinds.includes(input.kind)) throw invalidRecord(`Organisation kind must be one of ${kinds.join(', ')}`);
    try {
      return await this.insert(input, actor);
    } finally {
      // Organisations are reference facts too: whatever is cached about them goes once this has committed.
      this.cache.invalidate();
    }
  }

  private insert(
    input: { id: string; name: string; kind: OrganisationKind },
    actor: Principal,
  ): Promise<OrganisationEntity> {
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(OrganisationEntity);
      if (await repo.existsBy({ id: input.id })) throw invalidRecord(`Organisation ${input.id} already exists`);
      const saved = await repo.save(repo.create({ ...input, name: input.name.trim(), createdBy: actor.subject }));
      await this.audit.record(
        {
          actor,
          operation: 'organisation.create',
          decision: 'change',
          detail: { organisation: saved.id, kind: saved.kind },
        },
        tx,
      );
      return saved;
    });
  }
}
