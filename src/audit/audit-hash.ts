import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The `prev_hash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version of the hashed form; part of every header, so a future change cannot be confused with this one. */
export const HASH_VERSION = 1;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** RFC 8785 (JSON Canonicalization Scheme): sorted keys, ECMAScript number and string forms. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** The hash of an event's content (everything a purge may erase). */
export function contentHash(content: unknown): string {
  return sha256Hex(canonicalJson(content));
}

export interface EventHeader {
  seq: number;
  prev: string;
  /** ISO 8601 UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  at: string;
  op: string;
  content: string;
}

/**
 * The chained hash of one event. Its SQL twin, `audit_header_hash()` (migration 1763804000000), builds the
 * same canonical text, so the database can check every insert and this code can check every row.
 */
export function headerHash(header: EventHeader): string {
  return sha256Hex(
    canonicalJson({
      v: HASH_VERSION,
      seq: header.seq,
      prev: header.prev,
      at: header.at,
      op: header.op,
      content: header.content,
    }),
  );
}
