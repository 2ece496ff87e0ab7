import parsePrometheusTextFormat, { PrometheusFamily, PrometheusSample } from 'parse-prometheus-text-format';
import type { DataSource } from 'typeorm';

/**
 * One scrape of /metrics, parsed by a Prometheus text-format parser (it throws on what it cannot read).
 * The parser folds a histogram's samples into one and drops their labels when the histogram has labels of
 * its own, so histograms are read a second time, typed `untyped`: their `_count`, `_sum` and `_bucket`
 * samples then come out as families of their own, with every label.
 */
export class Scrape {
  readonly families: Map<string, PrometheusFamily>;
  private readonly untypedSamples = new Map<string, PrometheusSample[]>();

  constructor(readonly text: string) {
    this.families = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
    const untyped = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
    for (const family of parsePrometheusTextFormat(untyped)) {
      this.untypedSamples.set(family.name, [...(this.untypedSamples.get(family.name) ?? []), ...family.metrics]);
    }
  }

  family(name: string): PrometheusFamily {
    const family = this.families.get(name);
    if (!family) throw new Error(`no metric family ${name} in the scrape`);
    return family;
  }

  /**
   * The sum over the family's samples whose labels include `labels`: a counter's or gauge's value, a
   * histogram's count. 0 when no sample matches (a labelled counter appears at its first increment).
   */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((sum, sample) => sum + Number(sample.value ?? sample.count), 0);
  }

  samples(name: string, labels: Record<string, string> = {}): PrometheusSample[] {
    const family = this.families.get(name);
    const all =
      family?.type === 'HISTOGRAM'
        ? (this.untypedSamples.get(`${name}_count`) ?? []).map(({ value, labels: l }) => ({ count: value, labels: l }))
        : (family?.metrics ?? []);
    return all.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  }

  /** The values a label takes in a family (e.g. every `source` of the lookups). */
  labelValuesOf(name: string, label: string): string[] {
    return [
      ...new Set(
        this.samples(name)
          .map((sample) => sample.labels?.[label])
          .filter((value): value is string => value !== undefined),
      ),
    ];
  }

  /** Every label value in the whole scrape (from the second reading, which keeps histograms' labels), bucket bounds left out. */
  allLabelValues(): string[] {
    const values = new Set<string>();
    for (const samples of this.untypedSamples.values()) {
      for (const sample of samples)
        for (const [key, value] of Object.entries(sample.labels ?? {})) if (key !== 'le') values.add(value);
    }
    return [...values];
  }
}

/** Label values (or attribute values) that are, or contain, a personal value. */
export function personalValuesIn(values: readonly string[], personal: PersonalValues): string[] {
  return values.filter((value) => personal.exact.has(value) || personal.contained.some((id) => value.includes(id)));
}

export interface PersonalValues {
  /** Names, dates of birth, postcodes, national insurance and NHS numbers: nothing may equal one. */
  exact: Set<string>;
  /** Person, household and record ids, source keys, token subjects and ids: nothing may contain one. */
  contained: string[];
}

/** Every personal value the hub's database holds about the people in it, and the subjects of every token used. */
export async function personalValuesOf(dataSource: DataSource): Promise<PersonalValues> {
  const column = async (sql: string) =>
    ((await dataSource.query(sql)) as { v: string | null }[])
      .map((row) => row.v)
      .filter((v): v is string => !!v && v.length > 0);
  const exact = new Set(
    await column(
      `select distinct value as v from source_record, jsonb_each_text(demographics) where key in ('givenName', 'middleNames', 'familyName', 'dateOfBirth', 'postcode', 'nino', 'nhsNumber', 'uprn', 'email', 'phone')`,
    ),
  );
  // Words of names too: a label holding "Smith" is as bad as one holding "John Smith".
  for (const name of await column(
    `select distinct value as v from source_record, jsonb_each_text(demographics) where key in ('givenName', 'familyName')`,
  )) {
    for (const word of name.split(/[\s-]+/)) if (word.length > 2) exact.add(word);
  }
  const contained = [
    ...(await column('select id::text as v from person')),
    ...(await column('select id::text as v from household')),
    ...(await column('select distinct source_key as v from source_record')),
    ...(await column('select distinct actor_subject as v from audit_event')),
    ...(await column('select distinct actor_token_id as v from audit_event')),
  ];
  return { exact, contained: [...new Set(contained)] };
}
