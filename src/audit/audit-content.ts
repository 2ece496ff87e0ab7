import { z } from 'zod';
import { contentHash } from './audit-hash';
import type { AuditEventInput, AuditedField } from '../engine/audit-recorder';

export type AuditDecision = AuditEventInput['decision'];
export const auditDecisions = [
  'allow',
  'allow-with-redactions',
  'deny',
  'error',
  'change',
] as const satisfies readonly AuditDecision[];

/** Lower-case dotted words: stored in the header hash as it is, so it must need no JSON escaping. */
export const operationPattern = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/;

// PostgreSQL text cannot hold NUL; refusing it here gives the caller a clear error instead of a failed batch.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine(
      (value) => !value.includes('\u0000') && !loneSurrogate.test(value),
      'must be text without NUL or lone surrogates',
    );
/**
 * A NUL in serialised JSON: `\u0000` after an even number of backslashes. Text that merely spells `\u0000`
 * (serialised `\\u0000`) is not one; it used to be refused, and the request with it, as an invalid event.
 */
const NUL_IN_JSON = /(?<!\\)(?:\\\\)*\\u0000/;
const field = z.object({ source: text(100), field: text(200) }).strict();

const schema = z
  .object({
    actor: z
      .object({
        subject: text(256),
        organisation: text(256),
        roles: z.array(text(100)).max(50),
        team: text(256).optional(),
        client: text(256).optional(),
        tokenId: text(256).optional(),
        issuer: text(512).optional(),
        keyId: text(256).optional(),
      })
      // A principal may carry more than the audit keeps; only these fields are recorded.
      .optional(),
    operation: z.string().max(100).regex(operationPattern, 'must be lower-case dotted words, e.g. person.view'),
    subjects: z
      .object({
        persons: z.array(text(100)).max(10_000).optional(),
        households: z.array(text(100)).max(10_000).optional(),
      })
      .strict()
      .optional(),
    released: z.array(field).max(5_000).optional(),
    withheld: z.array(field).max(5_000).optional(),
    purpose: text(200).optional(),
    caseReference: text(200).optional(),
    agreement: z
      .object({ id: text(200), version: z.number().int().min(0).max(2_147_483_647) })
      .strict()
      .optional(),
    basis: text(500).optional(),
    justification: z
      .object({
        consentId: text(200).optional(),
        relationshipId: text(200).optional(),
        breakGlassId: text(200).optional(),
      })
      .strict()
      .optional(),
    decision: z.enum(auditDecisions),
    reasons: z.array(text(1_000)).max(100).optional(),
    requestId: text(200).optional(),
    detail: z
      .record(z.string(), z.json())
      .refine((value) => JSON.stringify(value).length <= 16_384, 'must serialise to at most 16 KiB')
      .refine((value) => !NUL_IN_JSON.test(JSON.stringify(value)), 'must not contain NUL')
      .optional(),
  })
  .strict();

export class InvalidAuditEventError extends Error {
  override readonly name = 'InvalidAuditEventError';
}

/**
 * The columns an event's content hash covers: everything a purge may erase. The hash is taken over exactly
 * these stored values (RFC 8785), one key per column, so a change to any column, even an extra key slipped
 * into a jsonb value, changes the hash. Absent values are null and absent lists empty, never undefined.
 */
export const hashedColumns = [
  'decision',
  'actor_subject',
  'actor_organisation',
  'actor_roles',
  'actor_client',
  'actor_team',
  'actor_token_id',
  'actor_issuer',
  'actor_key_id',
  'persons',
  'households',
  'released',
  'withheld',
  'purpose',
  'case_reference',
  'agreement_id',
  'agreement_version',
  'basis',
  'consent_id',
  'relationship_id',
  'break_glass_id',
  'reasons',
  'request_id',
  'detail',
] as const;

/** The stored columns of an event (as audit_event names them). */
export interface AuditRow {
  seq: string;
  occurred_at: Date;
  operation: string;
  decision: AuditDecision | null;
  actor_subject: string | null;
  actor_organisation: string | null;
  actor_roles: string[] | null;
  actor_client: string | null;
  actor_team: string | null;
  actor_token_id: string | null;
  actor_issuer: string | null;
  actor_key_id: string | null;
  persons: string[] | null;
  households: string[] | null;
  released: AuditedField[] | null;
  withheld: AuditedField[] | null;
  purpose: string | null;
  case_reference: string | null;
  agreement_id: string | null;
  agreement_version: number | null;
  basis: string | null;
  consent_id: string | null;
  relationship_id: string | null;
  break_glass_id: string | null;
  reasons: string[] | null;
  request_id: string | null;
  detail: Record<string, unknown> | null;
  content_hash: string;
  prev_hash: string;
  hash: string;
  purged_by: string | null;
}

/**
 * Columns added after events were first written: they are part of the hashed content only when they hold a
 * value, so the events written before them keep their hashes.
 */
const addedColumns = new Set<string>(['actor_issuer', 'actor_key_id']);

type AddedColumn = 'actor_issuer' | 'actor_key_id';
export type AuditContent = Omit<Pick<AuditRow, (typeof hashedColumns)[number]>, AddedColumn> &
  Partial<Pick<AuditRow, AddedColumn>>;

/** The hashed content as a stored row states it. */
export function contentOf(row: AuditRow): AuditContent {
  return Object.fromEntries(
    hashedColumns
      .filter((column) => !(addedColumns.has(column) && row[column] === null))
      .map((column) => [column, row[column]]),
  ) as AuditContent;
}

/** Validates a caller's event and normalises it; throws InvalidAuditEventError naming the first problem. */
export function normaliseEvent(input: AuditEventInput): { operation: string; content: AuditContent } {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidAuditEventError(`invalid audit event: ${issue.path.join('.') || 'event'} ${issue.message}`);
  }
  const event = parsed.data;
  const fields = (list?: AuditedField[]) => (list ?? []).map(({ source, field: name }) => ({ source, field: name }));
  return {
    operation: event.operation,
    content: {
      decision: event.decision,
      actor_subject: event.actor?.subject ?? null,
      actor_organisation: event.actor?.organisation ?? null,
      actor_roles: event.actor?.roles ?? null,
      actor_client: event.actor?.client ?? null,
      actor_team: event.actor?.team ?? null,
      actor_token_id: event.actor?.tokenId ?? null,
      ...(event.actor?.issuer ? { actor_issuer: event.actor.issuer } : {}),
      ...(event.actor?.keyId ? { actor_key_id: event.actor.keyId } : {}),
      persons: event.subjects?.persons ?? [],
      households: event.subjects?.households ?? [],
      released: fields(event.released),
      withheld: fields(event.withheld),
      purpose: event.purpose ?? null,
      case_reference: event.caseReference ?? null,
      agreement_id: event.agreement?.id ?? null,
      agreement_version: event.agreement?.version ?? null,
      basis: event.basis ?? null,
      consent_id: event.justification?.consentId ?? null,
      relationship_id: event.justification?.relationshipId ?? null,
      break_glass_id: event.justification?.breakGlassId ?? null,
      reasons: event.reasons ?? [],
      request_id: event.requestId ?? null,
      // Through JSON once, so what is hashed is exactly what PostgreSQL's jsonb will give back.
      detail: event.detail ? (JSON.parse(JSON.stringify(event.detail)) as Record<string, unknown>) : null,
    },
  };
}

/** A caller's event made ready to append: validated, normalised, its content hashed. */
export function prepareEvent(input: AuditEventInput): AuditContentColumns {
  const { operation, content } = normaliseEvent(input);
  let hash: string;
  try {
    hash = contentHash(content);
  } catch (error) {
    throw new InvalidAuditEventError(`invalid audit event: ${(error as Error).message}`);
  }
  return { operation, ...content, content_hash: hash };
}

export type AuditContentColumns = AuditContent & { operation: string; content_hash: string };
