import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliHost } from '../../engine/cli-host';
import { AuditCheckpointService } from '../audit-checkpoint.service';
import { AuditRecorder } from '../../engine/audit-recorder';
import { AuditRetentionService } from '../audit-retention.service';
import { AuditVerifierService } from '../audit-verifier.service';
import { csvHeader, csvRows, ndjsonRows } from '../dpo/audit-export';
import { filterFromQuery } from '../dpo/dpo-export.controller';
import { AuditSearchService } from '../dpo/audit-search.service';
import { cliActor, dpoEvent } from '../dpo/dpo-activity';
import { HubKeyService } from '../../keys/hub-key.service';

const seqOption = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`${name} must be a positive whole number`);
  return Number(value);
};

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

@SubCommand({
  name: 'verify',
  description: 'Re-derive the audit chain and print {valid, checkedEvents, firstBrokenSeq, ...}; exit 1 if broken',
})
export class AuditVerifyCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(_args: string[], options: { from?: number; to?: number }): Promise<void> {
    const result = await this.cli.withHubContext(async (app) => {
      const verification = await app.get(AuditVerifierService).verify(options?.from, options?.to);
      await app.get(AuditRecorder).record(dpoEvent(cliActor(), 'verify', { detail: { ...verification } }));
      return verification;
    });
    print(result);
    if (!result.valid) process.exitCode = 1;
  }

  @Option({ flags: '--from <seq>', description: 'first sequence number (default 1)' })
  parseFrom(value: string): number {
    return seqOption('--from')(value);
  }

  @Option({ flags: '--to <seq>', description: 'last sequence number (default the head)' })
  parseTo(value: string): number {
    return seqOption('--to')(value);
  }
}

interface ExportOptions {
  format?: string;
  out?: string;
  personId?: string;
  actor?: string;
  organisation?: string;
  purpose?: string;
  decision?: string;
  operation?: string;
  since?: string;
  until?: string;
  fromSeq?: string;
  toSeq?: string;
}

@SubCommand({ name: 'export', description: 'Write audit events (oldest first) as CSV or NDJSON to stdout or --out' })
export class AuditExportCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(_args: string[], options: ExportOptions = {}): Promise<void> {
    const format = options.format ?? 'ndjson';
    if (format !== 'csv' && format !== 'ndjson') throw new Error('--format must be csv or ndjson');
    const query = Object.fromEntries(
      Object.entries({
        personId: options.personId,
        actorSubject: options.actor,
        organisation: options.organisation,
        purpose: options.purpose,
        decision: options.decision,
        operation: options.operation,
        from: options.since,
        to: options.until,
        fromSeq: options.fromSeq,
        toSeq: options.toSeq,
      }).filter(([, value]) => value !== undefined),
    );
    const filter = filterFromQuery(query);
    const count = await this.cli.withHubContext(async (app) => {
      await app.get(AuditRecorder).record(
        dpoEvent(cliActor(), 'export', {
          persons: filter.personId ? [filter.personId] : [],
          detail: { format, filter: { ...filter }, out: options.out ?? 'stdout' },
        }),
      );
      const out: Writable = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout;
      let written = 0;
      if (format === 'csv') out.write(csvHeader());
      for await (const rows of app.get(AuditSearchService).stream(filter)) {
        if (!out.write(format === 'csv' ? csvRows(rows) : ndjsonRows(rows))) await once(out, 'drain');
        written += rows.length;
      }
      if (options.out) {
        out.end();
        await once(out, 'finish');
      }
      return written;
    });
    if (options.out) print({ out: options.out, format, events: count });
  }

  @Option({ flags: '--format <format>', description: 'csv or ndjson (default ndjson)' })
  parseFormat(value: string): string {
    return value;
  }

  @Option({ flags: '--out <file>', description: 'write here (mode 600) instead of stdout' })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--person-id <id>', description: 'events naming this person' })
  parsePersonId(value: string): string {
    return value;
  }

  @Option({ flags: '--actor <subject>', description: 'events by this user or client' })
  parseActor(value: string): string {
    return value;
  }

  @Option({ flags: '--organisation <id>', description: 'events by this organisation' })
  parseOrganisation(value: string): string {
    return value;
  }

  @Option({ flags: '--purpose <code>' })
  parsePurpose(value: string): string {
    return value;
  }

  @Option({ flags: '--decision <decision>', description: 'allow, allow-with-redactions, deny, error or change' })
  parseDecision(value: string): string {
    return value;
  }

  @Option({ flags: '--operation <op>', description: 'an operation, or a class ending in a dot (person.)' })
  parseOperation(value: string): string {
    return value;
  }

  @Option({ flags: '--since <time>', description: 'ISO 8601 time, inclusive' })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--until <time>', description: 'ISO 8601 time, exclusive' })
  parseUntil(value: string): string {
    return value;
  }

  @Option({ flags: '--from-seq <seq>' })
  parseFromSeq(value: string): string {
    return value;
  }

  @Option({ flags: '--to-seq <seq>' })
  parseToSeq(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'checkpoint', description: 'Sign and store a checkpoint of the chain head now' })
export class AuditCheckpointCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(): Promise<void> {
    const row = await this.cli.withHubContext((app) => app.get(AuditCheckpointService).checkpoint('manual'));
    print(
      row
        ? { seq: Number(row.seq), hash: row.hash, kid: row.kid, createdAt: row.created_at }
        : { skipped: 'a manual checkpoint of this head exists' },
    );
  }
}

@SubCommand({
  name: 'public-key',
  description:
    "Print the public half of the hub's signing key (JWK): before replacing the key, add it to HUB_RETIRED_KEYS_FILE",
})
export class AuditPublicKeyCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(): Promise<void> {
    print(await this.cli.withHubContext((app) => app.get(HubKeyService).publicJwk()));
  }
}

@SubCommand({
  name: 'purge',
  description: 'Apply AUDIT_RETENTION: checkpoint, then erase the content of events past retention',
})
export class AuditPurgeCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(_args: string[], options: { dryRun?: boolean } = {}): Promise<void> {
    const result = await this.cli.withHubContext<unknown>((app) => {
      const retention = app.get(AuditRetentionService);
      return options.dryRun ? retention.preview() : retention.purge(cliActor());
    });
    print(result);
  }

  @Option({ flags: '--dry-run', description: 'only count what each rule would erase' })
  parseDryRun(): boolean {
    return true;
  }
}

@Command({
  name: 'audit',
  description: "The audit trail: verify, export, checkpoint, purge; the checkpoint signing key's public half",
  subCommands: [
    AuditVerifyCommand,
    AuditExportCommand,
    AuditCheckpointCommand,
    AuditPurgeCommand,
    AuditPublicKeyCommand,
  ],
})
export class AuditCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}

export const auditCommands = [
  AuditCommand,
  AuditVerifyCommand,
  AuditExportCommand,
  AuditCheckpointCommand,
  AuditPurgeCommand,
  AuditPublicKeyCommand,
];
