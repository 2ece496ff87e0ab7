import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { HubKeyService } from '../keys/hub-key.service';
import { canonicalJson } from './audit-hash';

export type CheckpointReason = 'periodic' | 'manual' | 'purge';

/** What a checkpoint's JWS signs: the chain head at a moment. */
export interface CheckpointPayload {
  typ: 'hub-audit-checkpoint';
  seq: number;
  hash: string;
  at: string;
  reason: CheckpointReason;
}

export interface CheckpointRow {
  id: string;
  seq: string;
  hash: string;
  created_at: Date;
  reason: CheckpointReason;
  kid: string;
  jws: string;
}

export type CheckpointCheck = { ok: true } | { ok: false; problem: string };

const DAY_MS = 86_400_000;

/**
 * Signed checkpoints of the chain head (JWS, the hub's ES256 key), stored in audit_checkpoint. A
 * checkpoint fixes the chain up to its sequence number: rewriting history before it would need the key.
 * Also keeps the monthly partitions made ahead of time.
 */
@Injectable()
export class AuditCheckpointService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuditCheckpoint');
  private timer?: NodeJS.Timeout;
  private partitionsCheckedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: HubKeyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensurePartitions();
    const seconds = this.config.audit.checkpointIntervalSeconds;
    if (seconds > 0) {
      this.timer = setInterval(() => void this.tick(), seconds * 1000);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Signs and stores the current head; a periodic checkpoint of an unchanged head is skipped. */
  async checkpoint(reason: CheckpointReason): Promise<CheckpointRow | undefined> {
    const [head]: { seq: string; hash: string }[] = await this.dataSource.query(
      'select seq, hash from audit_chain_head where id = 1',
    );
    if (reason === 'periodic') {
      const [latest]: { seq: string }[] = await this.dataSource.query('select max(seq) as seq from audit_checkpoint');
      if (latest?.seq !== null && latest?.seq !== undefined && latest.seq === head.seq) return undefined;
    }
    const at = new Date();
    const payload: CheckpointPayload = {
      typ: 'hub-audit-checkpoint',
      seq: Number(head.seq),
      hash: head.hash,
      at: at.toISOString(),
      reason,
    };
    const jws = await this.keys.sign(canonicalJson(payload), { typ: 'hub-audit-checkpoint+jws' });
    const kid = await this.keys.kid();
    const rows: CheckpointRow[] = await this.dataSource.query(
      `insert into audit_checkpoint (seq, hash, created_at, reason, kid, jws) values ($1, $2, $3, $4, $5, $6)
       on conflict (seq, reason) do nothing returning *`,
      [head.seq, head.hash, at, reason, kid, jws],
    );
    return rows[0];
  }

  /** Checks a stored checkpoint: signed by this hub's key (or a retired one), and saying what its columns say. */
  async check(row: CheckpointRow): Promise<CheckpointCheck> {
    let payload: CheckpointPayload;
    try {
      const header = decodeProtectedHeader(row.jws);
      if (!(await this.keys.knows(header.kid)))
        return { ok: false, problem: `checkpoint ${row.id} is signed with an unknown key (${String(header.kid)})` };
      payload = JSON.parse(new TextDecoder().decode(await this.keys.verify(row.jws))) as CheckpointPayload;
    } catch {
      return { ok: false, problem: `checkpoint ${row.id} has an invalid signature` };
    }
    const same =
      payload.typ === 'hub-audit-checkpoint' &&
      String(payload.seq) === String(row.seq) &&
      payload.hash === row.hash &&
      payload.reason === row.reason &&
      payload.at === new Date(row.created_at).toISOString();
    return same ? { ok: true } : { ok: false, problem: `checkpoint ${row.id} does not match its signed payload` };
  }

  async ensurePartitions(): Promise<void> {
    try {
      await this.dataSource.query('select audit_ensure_partitions(2)');
      this.partitionsCheckedAt = Date.now();
    } catch (error) {
      // Events still land in the default partition; the trail is not at risk, only its layout.
      this.logger.warn(`audit partitions not made: ${(error as Error).message}`);
    }
  }

  private async tick(): Promise<void> {
    try {
      if (Date.now() - this.partitionsCheckedAt > DAY_MS) await this.ensurePartitions();
      await this.checkpoint('periodic');
    } catch (error) {
      this.logger.error(`audit checkpoint failed: ${(error as Error).message}`);
    }
  }
}
