import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What this hub is running.' })
export class HubInfo {
  @Field({ description: 'The hub version (package.json).' })
  version: string;

  @Field({ description: '`embedded` (a PostgreSQL server run by the hub) or `external` (DATABASE_URL).' })
  database: string;
}
