import { letterMask } from './text';
import { PreparedName, PreparedRecord } from './types';

/**
 * Prepared records in a compact form on shared memory, for scoring threads. Each record is a run of 32-bit
 * slots (numbers, and string numbers into one table of strings written as UTF-8: a string many records
 * share, such as a name or an address token, once; a record's own id, NINO, email or phone as it comes), its
 * address-token weights are 64-bit floats beside them. Any thread reads any record back exactly as it
 * was: the same fields, strings, maps and typed-array values, so a pair scores the same on every thread.
 * About 200 bytes a record plus the distinct strings, against about 1.8 KB a record as objects: threads
 * share these bytes instead of each holding a copy of a million records.
 */
export interface SharedRecordsData {
  count: number;
  /** Record i is slots[at[i] .. at[i + 1]). */
  at: Int32Array;
  slots: Int32Array;
  weights: Float64Array;
  /** String s is the UTF-8 bytes text[textAt[s] .. textAt[s + 1]). */
  textAt: Int32Array;
  text: Uint8Array;
}

const NONE = -1;
/** Marks the number of a string only one record holds (read each time, not kept by the reader). */
const OWN = 1 << 30;

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(4, length * 4)), 0, length);
}

const nameSlots = (n: PreparedName | null) => (n ? 4 + n.tokens.length + n.nicknames.length : 1);

/** Slots a record takes (see `encode` for the layout). */
function slotCount(r: PreparedRecord): number {
  return (
    3 +
    nameSlots(r.given) +
    nameSlots(r.middle) +
    nameSlots(r.family) +
    1 +
    r.familyParts.length +
    1 +
    r.previousFamilies.length +
    1 +
    4 +
    1 +
    3 +
    4 +
    (r.address ? 3 + 2 * r.address.length : 1) +
    1 +
    3 +
    1 +
    (r.identifiers ? 1 + 2 * r.identifiers.size : 1)
  );
}

/** Writes a batch of prepared records (address weights already filled) to shared memory. */
export function shareRecords(records: readonly PreparedRecord[]): SharedRecordsData {
  const n = records.length;
  const at = sharedInt32(n + 1);
  let total = 0;
  let weightCount = 0;
  for (let i = 0; i < n; i++) {
    at[i] = total;
    total += slotCount(records[i]);
    weightCount += records[i].address?.length ?? 0;
  }
  at[n] = total;
  const slots = sharedInt32(total);
  const weights = new Float64Array(new SharedArrayBuffer(Math.max(8, weightCount * 8)), 0, weightCount);
  const ids = new Map<string, number>();
  const strings: string[] = [];
  const s = (value: string | null): number => {
    if (value === null) return NONE;
    let id = ids.get(value);
    if (id === undefined) {
      id = strings.length;
      ids.set(value, id);
      strings.push(value);
    }
    return id;
  };
  // Values nearly every record holds its own (ids, NINOs, emails, phones) are written without looking them
  // up: a million records' worth of them in the map above would cost more than the few repeats save.
  // They are marked (OWN) so that readers do not keep them once read.
  const own = (value: string | null): number => {
    if (value === null) return NONE;
    strings.push(value);
    return (strings.length - 1) | OWN;
  };
  let p = 0;
  let w = 0;
  const put = (x: number) => {
    slots[p++] = x;
  };
  const name = (nm: PreparedName | null) => {
    if (!nm) return put(NONE);
    put(nm.tokens.length);
    for (const t of nm.tokens) put(s(t));
    put(s(nm.metaphone[0]));
    put(s(nm.metaphone[1]));
    put(nm.nicknames.length);
    for (const g of nm.nicknames) put(g);
  };
  const list = (values: readonly string[]) => {
    put(values.length);
    for (const v of values) put(s(v));
  };
  for (let i = 0; i < n; i++) {
    const r = records[i];
    put(r.index);
    put(s(r.source));
    put(own(r.id));
    name(r.given);
    name(r.middle);
    name(r.family);
    list(r.familyParts);
    list(r.previousFamilies);
    put(s(r.generation));
    if (r.dob) [r.dob.y, r.dob.m, r.dob.d, s(r.dob.iso)].forEach(put);
    else [NONE, 0, 0, NONE].forEach(put);
    put(r.sex === 'F' ? 1 : r.sex === 'M' ? 2 : 0);
    put(own(r.nino));
    put(own(r.nhs));
    put(own(r.uprn));
    if (r.postcode) [s(r.postcode.full), s(r.postcode.sector), s(r.postcode.district), s(r.postcode.area)].forEach(put);
    else [NONE, NONE, NONE, NONE].forEach(put);
    if (r.address) {
      const masks = r.addressMasks as Int32Array;
      const tokenWeights = r.addressWeights as Float64Array;
      put(r.address.length);
      put(w);
      put(s(r.addressKey));
      for (let t = 0; t < r.address.length; t++) {
        put(s(r.address[t]));
        put(masks[t]);
        weights[w++] = tokenWeights[t];
      }
    } else put(NONE);
    put(s(r.locality));
    if (r.email) [own(r.email.full), own(r.email.local), r.email.valid ? 1 : 0].forEach(put);
    else [NONE, NONE, 0].forEach(put);
    put(own(r.phone));
    if (r.identifiers) {
      put(r.identifiers.size);
      for (const [key, value] of r.identifiers) {
        put(s(key));
        put(s(value));
      }
    } else put(NONE);
    if (p !== at[i + 1]) throw new Error('shared record layout out of step');
  }
  if (strings.length >= OWN) throw new Error('too many strings for the shared record store');
  const textAt = sharedInt32(strings.length + 1);
  let bytes = 0;
  for (let k = 0; k < strings.length; k++) {
    textAt[k] = bytes;
    bytes += Buffer.byteLength(strings[k], 'utf8');
  }
  textAt[strings.length] = bytes;
  const text = new Uint8Array(new SharedArrayBuffer(Math.max(1, bytes)), 0, bytes);
  const view = Buffer.from(text.buffer, 0, bytes);
  for (let k = 0; k < strings.length; k++) view.write(strings[k], textAt[k], 'utf8');
  return { count: n, at, slots, weights, textAt, text };
}

/** Total bytes of the shared store (for reports). */
export function sharedRecordsBytes(d: SharedRecordsData): number {
  return d.at.byteLength + d.slots.byteLength + d.weights.byteLength + d.textAt.byteLength + d.text.byteLength;
}

/** An address read back, with the string numbers of its tokens (to tell two addresses with one key apart). */
interface ReadAddress {
  ids: number[];
  address: string[];
  addressWeights: Float64Array;
  addressMasks: Int32Array;
}

/** Addresses kept for reuse at most (a million records hold a few hundred thousand distinct ones). */
const MAX_ADDRESSES = 200_000;

/**
 * Reads records back from the shared store; a record read twice is two equal objects. Parts that are the
 * same in many records are read once and shared between the records read (as `PreparedParts` shares them
 * when preparing): a one-word name (everything in it follows from its one token), a date of birth, a
 * postcode and an address (its tokens, weights and masks follow from its tokens).
 */
export class SharedRecords {
  private readonly strings: (string | undefined)[];
  private readonly textView: Buffer;
  private readonly names = new Map<number, PreparedName>();
  private readonly dates = new Map<number, PreparedRecord['dob']>();
  private readonly postcodes = new Map<number, { ids: number[]; postcode: PreparedRecord['postcode'] }>();
  private readonly addresses = new Map<number, ReadAddress>();

  constructor(readonly data: SharedRecordsData) {
    this.strings = Array.from({ length: data.textAt.length - 1 });
    this.textView = Buffer.from(data.text.buffer, data.text.byteOffset, data.text.byteLength);
  }

  get count(): number {
    return this.data.count;
  }

  private string(id: number): string {
    if (id & OWN) {
      const k = id & ~OWN;
      return this.textView.toString('utf8', this.data.textAt[k], this.data.textAt[k + 1]);
    }
    let value = this.strings[id];
    if (value === undefined) {
      value = this.textView.toString('utf8', this.data.textAt[id], this.data.textAt[id + 1]);
      this.strings[id] = value;
    }
    return value;
  }

  private date(y: number, m: number, d: number, iso: number): PreparedRecord['dob'] {
    if (iso === NONE) return null;
    let date = this.dates.get(iso);
    if (!date) {
      date = { y, m, d, iso: this.string(iso) };
      this.dates.set(iso, date);
    }
    return date;
  }

  private postcode(full: number, sector: number, district: number, area: number): PreparedRecord['postcode'] {
    if (full === NONE) return null;
    const held = this.postcodes.get(full);
    if (held && held.ids[0] === sector && held.ids[1] === district && held.ids[2] === area) return held.postcode;
    const optional = (id: number) => (id === NONE ? null : this.string(id));
    const postcode = {
      full: this.string(full),
      sector: optional(sector),
      district: optional(district),
      area: optional(area),
    };
    if (!held) this.postcodes.set(full, { ids: [sector, district, area], postcode });
    return postcode;
  }

  get(i: number): PreparedRecord {
    const { slots, weights } = this.data;
    let p = this.data.at[i];
    const next = () => slots[p++];
    const str = () => this.string(slots[p++]);
    const optional = () => {
      const id = slots[p++];
      return id === NONE ? null : this.string(id);
    };
    const list = () => {
      const length = next();
      const values: string[] = [];
      for (let k = 0; k < length; k++) values.push(str());
      return values;
    };
    const name = (): PreparedName | null => {
      const start = p;
      const length = next();
      if (length === NONE) return null;
      if (length === 1) {
        const held = this.names.get(slots[p]);
        if (held) {
          p += 3; // the token and the two metaphone codes
          p += 1 + slots[p]; // the nickname groups
          return held;
        }
      }
      const tokens: string[] = [];
      for (let k = 0; k < length; k++) tokens.push(str());
      const metaphone: [string, string] = [str(), str()];
      const groups = next();
      const nicknames: number[] = [];
      for (let k = 0; k < groups; k++) nicknames.push(next());
      const key = tokens.join('');
      const value = { tokens, key, first: tokens[0], metaphone, nicknames, letters: letterMask(key) };
      if (length === 1) this.names.set(slots[start + 1], value);
      return value;
    };
    const index = next();
    const source = str();
    const id = str();
    const given = name();
    const middle = name();
    const family = name();
    const familyParts = list();
    const previousFamilies = list();
    const generation = optional();
    const dob = this.date(slots[p], slots[p + 1], slots[p + 2], slots[p + 3]);
    p += 4;
    const sexCode = next();
    const sex = sexCode === 1 ? 'F' : sexCode === 2 ? 'M' : null;
    const nino = optional();
    const nhs = optional();
    const uprn = optional();
    const postcode = this.postcode(slots[p], slots[p + 1], slots[p + 2], slots[p + 3]);
    p += 4;
    let address: string[] | null = null;
    let addressWeights: Float64Array | null = null;
    let addressMasks: Int32Array | null = null;
    let addressKey: string | null = null;
    const tokens = next();
    if (tokens !== NONE) {
      const from = next();
      const keyId = slots[p++];
      addressKey = this.string(keyId);
      let read = this.addresses.get(keyId);
      if (!read || !sameIds(read.ids, slots, p, tokens)) {
        const ids: number[] = [];
        const words: string[] = [];
        const masks = new Int32Array(tokens);
        for (let t = 0; t < tokens; t++) {
          ids.push(slots[p + 2 * t]);
          words.push(this.string(slots[p + 2 * t]));
          masks[t] = slots[p + 2 * t + 1];
        }
        read = { ids, address: words, addressWeights: weights.slice(from, from + tokens), addressMasks: masks };
        if (this.addresses.size < MAX_ADDRESSES && !this.addresses.has(keyId)) this.addresses.set(keyId, read);
      }
      p += 2 * tokens;
      address = read.address;
      addressWeights = read.addressWeights;
      addressMasks = read.addressMasks;
    }
    const locality = optional();
    const emailFull = optional();
    const emailLocal = optional();
    const valid = next() === 1;
    const email = emailFull === null ? null : { full: emailFull, local: emailLocal as string, valid };
    const phone = optional();
    const identifierCount = next();
    let identifiers: Map<string, string> | null = null;
    if (identifierCount !== NONE) {
      identifiers = new Map();
      for (let k = 0; k < identifierCount; k++) identifiers.set(str(), str());
    }
    return {
      index,
      source,
      id,
      given,
      middle,
      family,
      familyParts,
      previousFamilies,
      generation,
      dob,
      sex,
      nino,
      nhs,
      uprn,
      postcode,
      address,
      addressWeights,
      addressMasks,
      addressKey,
      locality,
      email,
      phone,
      identifiers,
    };
  }
}

/** Whether the address tokens at `slots[p]`, `slots[p + 2]`, ... are the string numbers `ids`. */
function sameIds(ids: readonly number[], slots: Int32Array, p: number, tokens: number): boolean {
  if (ids.length !== tokens) return false;
  for (let t = 0; t < tokens; t++) if (slots[p + 2 * t] !== ids[t]) return false;
  return true;
}
