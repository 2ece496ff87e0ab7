import { deserialize, serialize } from 'node:v8';
import { PreparedRecord } from './types';

/** Bytes per segment of the shared store (a record never spans two). */
const SEGMENT_BYTES = 64 * 1024 * 1024;

/**
 * Prepared records in a compact form on shared memory, for scoring threads: each record is written once
 * with V8's structured serialisation (strings as bytes, no object headers or hidden classes), and any
 * thread can read any record back, exactly as it was (the same fields, strings, maps and typed-array
 * values). Threads share the bytes instead of each holding a copy of a million records as objects.
 */
export interface SharedRecordsData {
  count: number;
  segments: SharedArrayBuffer[];
  /** Per record: segment, byte offset, byte length. */
  where: Int32Array;
}

/** Writes a batch of prepared records (address weights already filled) to shared memory. */
export function shareRecords(records: readonly PreparedRecord[]): SharedRecordsData {
  const where = new Int32Array(new SharedArrayBuffer(Math.max(12, records.length * 12)));
  const segments: SharedArrayBuffer[] = [];
  let segment: Uint8Array | null = null;
  let used = 0;
  for (let i = 0; i < records.length; i++) {
    const bytes = serialize(records[i]);
    if (!segment || used + bytes.length > segment.length) {
      const buffer = new SharedArrayBuffer(Math.max(SEGMENT_BYTES, bytes.length));
      segments.push(buffer);
      segment = new Uint8Array(buffer);
      used = 0;
    }
    segment.set(bytes, used);
    where[3 * i] = segments.length - 1;
    where[3 * i + 1] = used;
    where[3 * i + 2] = bytes.length;
    used += bytes.length;
  }
  return { count: records.length, segments, where };
}

/** Total bytes of the shared store (for reports). */
export function sharedRecordsBytes(data: SharedRecordsData): number {
  let bytes = data.where.byteLength;
  for (const s of data.segments) bytes += s.byteLength;
  return bytes;
}

/** Reads records back from the shared store; a record read twice is two equal objects. */
export class SharedRecords {
  private readonly views: Buffer[];

  constructor(readonly data: SharedRecordsData) {
    this.views = data.segments.map((s) => Buffer.from(s));
  }

  get count(): number {
    return this.data.count;
  }

  get(i: number): PreparedRecord {
    const w = this.data.where;
    const offset = w[3 * i + 1];
    return deserialize(this.views[w[3 * i]].subarray(offset, offset + w[3 * i + 2])) as PreparedRecord;
  }
}
