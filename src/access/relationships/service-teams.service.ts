import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { invalidRecord, recordNotFound } from '../../engine/access.exception';
import { asInputError } from '../db-errors';
import { ServiceTeamEntity } from './service-team.entity';

export interface ServiceTeamInput {
  team: string;
  /** The source whose service the team works in. */
  source: string;
  /** The team's organisation; the administrator's own when absent. */
  organisation?: string;
}

const sourceId = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Which teams work in which source system's service. Needed wherever a team's name is shown: the name of a
 * social care team holding a case says that social care knows the person, so it goes only where that may.
 * Administrators keep the list; every change is audited in its transaction.
 */
@Injectable()
export class ServiceTeamsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  list(): Promise<ServiceTeamEntity[]> {
    return this.dataSource.getRepository(ServiceTeamEntity).find({ order: { organisation: 'ASC', team: 'ASC' } });
  }

  async set(input: ServiceTeamInput, actor: Principal): Promise<ServiceTeamEntity> {
    const team = input.team?.trim();
    const source = input.source?.trim();
    const organisation = input.organisation?.trim() || actor.organisation;
    if (!team || team.length > 100) throw invalidRecord('A team name is 1-100 characters');
    if (!source || !sourceId.test(source)) throw invalidRecord('source must be a source id (e.g. social-care)');
    return asInputError(
      () =>
        this.dataSource.transaction(async (tx) => {
          const repo = tx.getRepository(ServiceTeamEntity);
          const before = await repo.findOne({ where: { organisation, team }, lock: { mode: 'pessimistic_write' } });
          await repo.upsert({ organisation, team, source, registeredBy: actor.subject, registeredAt: new Date() }, [
            'organisation',
            'team',
          ]);
          await this.audit.record(
            {
              actor,
              operation: 'service-team.set',
              decision: 'change',
              detail: { organisation, team, source, previousSource: before?.source ?? null },
            },
            tx,
          );
          return repo.findOneByOrFail({ organisation, team });
        }),
      'The team cannot be recorded',
    );
  }

  async remove(organisation: string, team: string, actor: Principal): Promise<ServiceTeamEntity> {
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(ServiceTeamEntity);
      const found = await repo.findOne({ where: { organisation, team }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw recordNotFound(`No team ${team} of ${organisation} is recorded`);
      await repo.delete({ organisation, team });
      await this.audit.record(
        {
          actor,
          operation: 'service-team.remove',
          decision: 'change',
          detail: { organisation, team, source: found.source },
        },
        tx,
      );
      return found;
    });
  }
}
