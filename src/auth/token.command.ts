import { NestFactory } from '@nestjs/core';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CliHost } from '../engine/cli-host';
import { AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { KeysModule } from '../keys/keys.module';
import { Module } from '@nestjs/common';
import { DevTokenIssuer, parseTtl } from './dev-token.service';
import { Role } from '../engine/principal';

interface TokenOptions {
  role: Role[];
  org: string;
  sub?: string;
  team?: string;
  client?: string;
  ttl: number;
}

const roles = Object.values(Role) as string[];

/**
 * `npm run --silent cli -- token --role ROLE --org ORG [--sub SUB] [--team TEAM] [--client ID] [--ttl 8h]`:
 * prints one signed dev token and nothing else, so it can be captured: TOKEN=$(npm run --silent cli -- token ...).
 * Needs no database: only the configuration and the hub's key.
 */
@Command({ name: 'token', description: 'Print a dev bearer token signed with the hub key (refused in production)' })
export class TokenCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(_params: string[], options: TokenOptions): Promise<void> {
    const config = this.cli.config();
    const app = await NestFactory.createApplicationContext(TokenModule.forConfig(config), {
      logger: false,
      abortOnError: false,
    });
    try {
      const token = await app.get(DevTokenIssuer).issue({
        subject: options.sub ?? `dev.${options.role[0]}`,
        organisation: options.org,
        roles: options.role,
        team: options.team,
        client: options.client,
        ttlSeconds: options.ttl,
      });
      process.stdout.write(`${token}\n`);
    } finally {
      await app.close();
    }
  }

  @Option({ flags: '-r, --role <role>', description: `role (repeatable): ${roles.join(', ')}`, required: true })
  parseRole(value: string, previous: Role[] = []): Role[] {
    if (!roles.includes(value)) throw new Error(`--role ${value} is not one of ${roles.join(', ')}`);
    return [...previous, value as Role];
  }

  @Option({ flags: '-o, --org <org>', description: 'organisation id, e.g. council or nhs-trust', required: true })
  parseOrg(value: string): string {
    return value;
  }

  @Option({ flags: '-s, --sub <sub>', description: 'subject (user or client id); default dev.<role>' })
  parseSub(value: string): string {
    return value;
  }

  @Option({ flags: '-t, --team <team>', description: 'team, for caseload checks' })
  parseTeam(value: string): string {
    return value;
  }

  @Option({ flags: '--client <id>', description: 'OAuth client id (azp), as a partner machine token carries' })
  parseClient(value: string): string {
    return value;
  }

  @Option({ flags: '--ttl <duration>', description: 'lifetime: 3600, 30m, 8h, 1d (max 1d)', defaultValue: 3600 })
  parseTtl(value: string): number {
    return parseTtl(value);
  }
}

@Module({})
class TokenModule {
  static forConfig(config: AppConfig) {
    return { module: TokenModule, imports: [ConfigModule.forRoot(config), KeysModule], providers: [DevTokenIssuer] };
  }
}
