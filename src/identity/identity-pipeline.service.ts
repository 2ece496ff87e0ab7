import { Injectable, Logger } from '@nestjs/common';
import { HouseholdsService } from '../households/households.service';
import { AfterSync } from '../sources/sync/after-sync';
import { IdentityIndexService } from './index/identity-index.service';

/** After every sync: match what changed into the person index, then re-resolve households. */
@Injectable()
export class IdentityPipeline extends AfterSync {
  private readonly logger = new Logger('IdentityIndex');

  constructor(
    private readonly index: IdentityIndexService,
    private readonly households: HouseholdsService,
  ) {
    super();
  }

  async run(): Promise<Record<string, unknown>> {
    const matched = await this.index.matchPending();
    const households = matched.processed > 0 ? await this.households.resolveAll() : undefined;
    this.logger.log(
      `matched ${JSON.stringify(matched)}${households ? `; households ${JSON.stringify(households)}` : ''}`,
    );
    return { matched, ...(households ? { households } : {}) };
  }
}
