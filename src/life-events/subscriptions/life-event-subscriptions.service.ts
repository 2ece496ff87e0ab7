import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditRecorder } from '../../engine/audit-recorder';
import type { Principal } from '../../engine/principal';
import { sourceDeclarations } from '../../sources/source-registry';
import { LifeEventErrorCode, LifeEventException, lifeEventNotFound } from '../life-event.exception';
import { LIFE_EVENT_TYPES, LifeEventType } from '../life-event-rules';

export interface SubscriptionRow {
  id: string;
  recipientKind: 'source' | 'partner';
  recipient: string;
  organisation: string;
  eventType: LifeEventType;
  webhookUrl?: string;
  active: boolean;
  createdBy: string;
  createdAt: Date;
}

export interface SubscribeRequest {
  recipientKind: 'source' | 'partner';
  recipient: string;
  organisation?: string;
  eventTypes: LifeEventType[];
  webhookUrl?: string;
}

/**
 * The sources that are told of life events in the demo (docs/life-events.md): each live source system, of
 * every event it acts on. The NHS trust's agreement line for deaths is seeded, its subscription is not (it
 * needs the trust's own webhook address).
 */
export const DEMO_SUBSCRIPTIONS: { recipient: string; eventTypes: LifeEventType[] }[] = [
  { recipient: 'housing', eventTypes: ['DEATH', 'BIRTH', 'CHANGE_OF_ADDRESS', 'CHANGE_OF_NAME'] },
  { recipient: 'benefits', eventTypes: ['DEATH', 'BIRTH', 'CHANGE_OF_ADDRESS', 'CHANGE_OF_NAME'] },
  { recipient: 'social-care', eventTypes: ['DEATH', 'CHANGE_OF_ADDRESS', 'CHANGE_OF_NAME'] },
];

const RECIPIENT = /^[a-z0-9][a-z0-9-]{1,62}$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const seeder: Principal = { subject: 'hub-demo-seed', organisation: 'council', roles: [] };

const invalid = (message: string) => new LifeEventException(LifeEventErrorCode.INVALID_SUBSCRIPTION, message);

/**
 * Who hears of which life events (admin only): a source system of the council (one of the registered
 * sources), or a partner organisation at its HTTPS webhook. A subscription alone releases nothing: each
 * delivery also needs an agreement in force releasing the event for TELL_US_ONCE (delivery-plan.ts).
 */
@Injectable()
export class LifeEventSubscriptionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditRecorder,
  ) {}

  async list(activeOnly = false): Promise<SubscriptionRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `select id::text, recipient_kind, recipient, organisation, event_type, webhook_url, active, created_by, created_at
         from life_event_subscription ${activeOnly ? 'where active' : ''}
        order by recipient_kind desc, recipient, event_type`,
    );
    return rows.map(toSubscription);
  }

  async subscribe(request: SubscribeRequest, actor: Principal): Promise<SubscriptionRow[]> {
    const recipient = request.recipient?.trim() ?? '';
    if (!RECIPIENT.test(recipient)) throw invalid('recipient must be lower-case letters, digits and -');
    const types = [...new Set(request.eventTypes ?? [])];
    if (types.length === 0 || types.some((t) => !LIFE_EVENT_TYPES.includes(t)))
      throw invalid(`eventTypes must name at least one of ${LIFE_EVENT_TYPES.join(', ')}`);
    let organisation: string;
    let webhookUrl: string | null = null;
    if (request.recipientKind === 'source') {
      if (!sourceDeclarations.some((source) => source.id === recipient))
        throw invalid(
          `recipient ${recipient} is not a registered source (${sourceDeclarations.map((s) => s.id).join(', ')})`,
        );
      if (request.webhookUrl) throw invalid('a source is told through its adapter: give no webhookUrl');
      if (request.organisation && request.organisation !== this.config.auth.councilOrganisation)
        throw invalid("a source system is the council's own");
      organisation = this.config.auth.councilOrganisation;
    } else if (request.recipientKind === 'partner') {
      organisation = request.organisation?.trim() || recipient;
      webhookUrl = this.webhook(request.webhookUrl);
    } else throw invalid('recipientKind must be source or partner');
    try {
      return await this.dataSource.transaction(async (tx) => {
        const rows: Record<string, unknown>[] = [];
        for (const type of types) {
          const [row]: Record<string, unknown>[] = await tx.query(
            `insert into life_event_subscription (recipient_kind, recipient, organisation, event_type, webhook_url, created_by)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (recipient_kind, recipient, event_type)
             do update set active = true, organisation = excluded.organisation, webhook_url = excluded.webhook_url
             returning id::text, recipient_kind, recipient, organisation, event_type, webhook_url, active, created_by, created_at`,
            [request.recipientKind, recipient, organisation, type, webhookUrl, actor.subject],
          );
          rows.push(row);
        }
        await this.audit.record(
          {
            actor,
            operation: 'life-event.subscription.create',
            decision: 'change',
            detail: { recipientKind: request.recipientKind, recipient, organisation, eventTypes: types },
          },
          tx,
        );
        return rows.map(toSubscription);
      });
    } catch (error) {
      const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
      if (code === '23503') throw invalid(`organisation ${organisation} is not a known organisation`);
      throw error;
    }
  }

  async end(id: string, actor: Principal): Promise<SubscriptionRow> {
    if (!uuid.test(id)) throw lifeEventNotFound('No life event subscription has that id');
    return this.dataSource.transaction(async (tx) => {
      const [row]: Record<string, unknown>[] = await tx.query(
        `select id::text, recipient_kind, recipient, organisation, event_type, webhook_url, active, created_by, created_at
           from life_event_subscription where id = $1 for update`,
        [id],
      );
      if (!row) throw lifeEventNotFound('No life event subscription has that id');
      await tx.query(`update life_event_subscription set active = false where id = $1`, [id]);
      await this.audit.record(
        {
          actor,
          operation: 'life-event.subscription.end',
          decision: 'change',
          detail: { subscriptionId: id, recipient: row.recipient, eventType: row.event_type },
        },
        tx,
      );
      return { ...toSubscription(row), active: false };
    });
  }

  /** The demo subscriptions (idempotent: what exists, an administrator may have changed). */
  async seedDemo(): Promise<string[]> {
    const made: string[] = [];
    await this.dataSource.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', ['life-event-demo-subscriptions']);
      for (const { recipient, eventTypes } of DEMO_SUBSCRIPTIONS)
        for (const type of eventTypes) {
          const rows: unknown[] = await tx.query(
            `insert into life_event_subscription (recipient_kind, recipient, organisation, event_type, created_by)
             values ('source', $1, $2, $3, $4) on conflict do nothing returning id`,
            [recipient, this.config.auth.councilOrganisation, type, seeder.subject],
          );
          if (rows.length > 0) made.push(`${recipient}:${type}`);
        }
      if (made.length > 0)
        await this.audit.record(
          {
            actor: seeder,
            operation: 'life-event.subscription.create',
            decision: 'change',
            detail: { seed: true, made },
          },
          tx,
        );
    });
    return made;
  }

  /** HTTPS only; plain HTTP to loopback outside production (a test receiver). */
  private webhook(value: string | undefined): string {
    if (!value?.trim()) throw invalid('a partner is told at its webhookUrl: give one');
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      throw invalid('webhookUrl is not a URL');
    }
    if (url.username || url.password) throw invalid('webhookUrl must not carry credentials');
    const loopbackHttp = url.protocol === 'http:' && LOOPBACK.has(url.hostname) && this.config.nodeEnv !== 'production';
    if (url.protocol !== 'https:' && !loopbackHttp) throw invalid('webhookUrl must be https');
    if (url.href.length > 2000) throw invalid('webhookUrl is longer than 2000 characters');
    return url.href;
  }
}

function toSubscription(row: Record<string, unknown>): SubscriptionRow {
  return {
    id: String(row.id),
    recipientKind: row.recipient_kind as 'source' | 'partner',
    recipient: String(row.recipient),
    organisation: String(row.organisation),
    eventType: row.event_type as LifeEventType,
    ...(row.webhook_url ? { webhookUrl: String(row.webhook_url) } : {}),
    active: Boolean(row.active),
    createdBy: String(row.created_by),
    createdAt: new Date(row.created_at as string),
  };
}
