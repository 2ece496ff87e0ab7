import { Query, Resolver } from '@nestjs/graphql';
import { Public } from '../engine/policy/policy.decorator';
import { DatabaseRuntime } from '../database/database-runtime';
import { HUB_VERSION } from './version';
import { HubInfo } from './hub-info.model';

@Resolver(() => HubInfo)
export class HubInfoResolver {
  constructor(private readonly database: DatabaseRuntime) {}

  @Query(() => HubInfo, { description: 'The running hub: version and database mode. Holds no personal data.' })
  @Public()
  hubInfo(): HubInfo {
    return { version: HUB_VERSION, database: this.database.mode };
  }
}
