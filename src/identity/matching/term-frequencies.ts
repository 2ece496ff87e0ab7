import { TfColumn } from './comparisons';
import { KeyTable } from './key-table';
import { PreparedRecord } from './types';

export interface Table {
  total: number;
  counts: Map<string, number>;
  /** Count assumed for a value the table does not list (the smallest listed count once summarised). */
  unlisted: number;
}

export interface TermFrequencySummary {
  columns: Partial<Record<TfColumn, { total: number; unlisted: number; counts: Record<string, number> }>>;
  addressTokens: { documents: number; unlisted: number; counts: Record<string, number> };
}

/** The full tables (see `TermFrequencies.toTables`). */
export interface TermFrequencyTables {
  tables: Map<TfColumn, Table>;
  tokens: Table;
}

/**
 * How common each value is, so that agreeing on "Smith" counts for less than agreeing on "Szymanski".
 * Values are counted once per distinct person as far as that can be told without labels: a value counts
 * once per distinct (value, second field) combination, so a person held ten times in one extract does not
 * make their own surname look common. Address tokens carry inverse document frequencies.
 */
export class TermFrequencies {
  constructor(
    private readonly tables: Map<TfColumn, Table>,
    private readonly tokens: Table,
  ) {}

  static fromRecords(records: readonly PreparedRecord[]): TermFrequencies {
    const tables = new Map<TfColumn, Table>();
    const combo: string[] = [];
    for (const [column, value, second] of COLUMNS) {
      // Each (value, second field) seen, numbered in order: the combination is new when its number is.
      const seen = new KeyTable(2, records.length);
      const counts = new Map<string, number>();
      let total = 0;
      for (const r of records) {
        const v = value(r);
        if (v === null) continue;
        const s = second(r);
        if (s !== null) {
          combo[0] = v;
          combo[1] = s;
          const known = seen.size;
          if (seen.id(combo) < known) continue;
        }
        counts.set(v, (counts.get(v) ?? 0) + 1);
        total++;
      }
      tables.set(column, { total, counts, unlisted: 1 });
    }
    const seenAddresses = new Set<string>();
    const tokenCounts = new Map<string, number>();
    for (const r of records) {
      if (!r.address || seenAddresses.has(r.addressKey as string)) continue;
      seenAddresses.add(r.addressKey as string);
      for (const t of new Set(r.address)) tokenCounts.set(t, (tokenCounts.get(t) ?? 0) + 1);
    }
    return new TermFrequencies(tables, { total: seenAddresses.size, counts: tokenCounts, unlisted: 1 });
  }

  /** Relative frequency of a value among the distinct values of its column. */
  frequency(column: TfColumn, value: string): number {
    const table = this.tables.get(column);
    if (!table || !table.total) return 1;
    return (table.counts.get(value) ?? table.unlisted) / table.total;
  }

  /** Inverse document frequency of an address token, ln(1 + N / df): always positive, small for "street". */
  tokenWeight(token: string): number {
    const df = this.tokens.counts.get(token) ?? this.tokens.unlisted;
    return Math.log(1 + Math.max(1, this.tokens.total) / df);
  }

  /** Fills a prepared record's address token weights. */
  annotate(record: PreparedRecord): void {
    if (!record.address || !record.addressWeights) return;
    for (let i = 0; i < record.address.length; i++) record.addressWeights[i] = this.tokenWeight(record.address[i]);
  }

  /**
   * The most common values of each column (the ones whose adjustment matters most); any value not listed
   * is treated as being as common as the least common listed one, which can only understate its evidence.
   */
  toJSON(maxValues = 2000): TermFrequencySummary {
    const top = (t: Table) => {
      const entries = [...t.counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
      const kept = entries.slice(0, maxValues);
      const unlisted = entries.length > maxValues ? Math.max(1, kept[kept.length - 1][1]) : t.unlisted;
      return { total: t.total, unlisted, counts: Object.fromEntries(kept) };
    };
    const columns: TermFrequencySummary['columns'] = {};
    for (const [column, table] of this.tables) columns[column] = top(table);
    const tokens = top(this.tokens);
    return { columns, addressTokens: { documents: tokens.total, unlisted: tokens.unlisted, counts: tokens.counts } };
  }

  /** Every count, for a scoring thread's copy of the model (structured-cloneable; `toJSON` summarises). */
  toTables(): TermFrequencyTables {
    return { tables: this.tables, tokens: this.tokens };
  }

  static fromTables(t: TermFrequencyTables): TermFrequencies {
    return new TermFrequencies(t.tables, t.tokens);
  }

  static fromJSON(json: TermFrequencySummary): TermFrequencies {
    const tables = new Map<TfColumn, Table>();
    for (const [column, t] of Object.entries(json.columns) as [
      TfColumn,
      { total: number; unlisted: number; counts: Record<string, number> },
    ][]) {
      tables.set(column, { total: t.total, unlisted: t.unlisted, counts: new Map(Object.entries(t.counts)) });
    }
    const a = json.addressTokens;
    return new TermFrequencies(tables, {
      total: a.documents,
      unlisted: a.unlisted,
      counts: new Map(Object.entries(a.counts)),
    });
  }
}

type Getter = (r: PreparedRecord) => string | null;
const COLUMNS: [TfColumn, Getter, Getter][] = [
  ['givenName', (r) => r.given?.key ?? null, (r) => r.dob?.iso ?? null],
  ['familyName', (r) => r.family?.key ?? null, (r) => r.dob?.iso ?? null],
  ['dateOfBirth', (r) => r.dob?.iso ?? null, (r) => r.family?.key ?? null],
  ['locality', (r) => r.locality, (r) => r.family?.key ?? null],
];
