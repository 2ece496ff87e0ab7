import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * One owner per table: the person index (`person`, `person_link`) is the identity module's, `source_record`
 * is written by the sources module's sync and read (and marked matched) by the identity module. Every
 * other folder reads them through the identity module's port (src/identity/directory: PersonDirectory,
 * PersonSearchIndex, survivorsOf, mergedIdsCte; HomeEvidence and SubjectIdentities implemented there).
 * This test fails when production code elsewhere names one of these tables in SQL or uses their entity.
 */
const root = join(__dirname, '..', '..', '..');

const OWNERS: Record<string, readonly string[]> = {
  person: ['src/identity/'],
  person_link: ['src/identity/'],
  source_record: ['src/identity/', 'src/sources/'],
  // What life events report of a person, and a reported birth's part in matching (docs/person-index.md).
  person_reported_identity: ['src/identity/'],
  reported_block_key: ['src/identity/'],
  reported_match_constraint: ['src/identity/'],
};

/**
 * Files outside the owners allowed to name a table, with how many times and why. Keep it short: a new
 * reader belongs behind the owner's port.
 */
const ALLOWED: { file: string; table: string; count: number; why: string }[] = [
  {
    file: 'src/metrics/database-gauges.ts',
    table: 'source_record',
    count: 1,
    why: 'the pending-records gauge: a count (no personal data) in the one query a scrape makes over several modules; metrics is imported by sources and identity, so it cannot import them',
  },
];

const TABLE =
  '(person_link|source_record|person_reported_identity|reported_block_key|reported_match_constraint|person)';
const patterns = [
  // SQL: from / join / into / update / table / references <table>, optionally quoted.
  new RegExp(`\\b(?:from|join|into|update|table|references)\\s+"?${TABLE}"?(?![\\w-])`, 'gi'),
  new RegExp(`to_regclass\\(\\s*'${TABLE}'`, 'gi'),
  // TypeORM query builders and repositories by table name.
  new RegExp(
    `\\.(?:from|innerJoin|leftJoin|innerJoinAndSelect|leftJoinAndSelect|into|update|getRepository)\\(\\s*['"\`]${TABLE}['"\`]`,
    'g',
  ),
];
const ENTITY = /\bSourceRecordEntity\b/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Table → count of references in one file's text. */
function tableReferences(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pattern of patterns)
    for (const match of text.matchAll(pattern)) {
      const table = match[1].toLowerCase();
      counts.set(table, (counts.get(table) ?? 0) + 1);
    }
  const entities = [...text.matchAll(ENTITY)].length;
  if (entities > 0) counts.set('source_record', (counts.get('source_record') ?? 0) + entities);
  return counts;
}

describe('one owner per table', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('modules')].map((file) => file.split(sep).join('/'));
  const found = files.flatMap((file) =>
    [...tableReferences(readFileSync(join(root, file), 'utf8'))].map(([table, count]) => ({ file, table, count })),
  );

  it('finds the tables where they are owned (the scan works)', () => {
    for (const table of Object.keys(OWNERS)) expect(found.some((f) => f.table === table)).toBe(true);
  });

  it('lets no folder but the owners name person, person_link or source_record', () => {
    const trespass = found
      .filter(({ file, table }) => !OWNERS[table].some((owner) => file.startsWith(owner)))
      .filter(
        ({ file, table, count }) => !ALLOWED.some((a) => a.file === file && a.table === table && a.count === count),
      )
      .map(({ file, table, count }) => `${file}: ${table} (${count}×)`);
    expect(trespass).toEqual([]);
  });

  it('keeps the allow-list exact', () => {
    for (const allowed of ALLOWED)
      expect(found.find((f) => f.file === allowed.file && f.table === allowed.table)?.count).toBe(allowed.count);
  });

  it('recognises SQL and entity references, not words', () => {
    const refs = (text: string) => Object.fromEntries(tableReferences(text));
    expect(refs('select 1 from person_link l join source_record r on true')).toEqual({
      person_link: 1,
      source_record: 1,
    });
    expect(refs('update person set status = 1; insert into "person" values (1)')).toEqual({ person: 2 });
    expect(refs("to_regclass('person') ; repo = ds.getRepository(SourceRecordEntity)")).toEqual({
      person: 1,
      source_record: 1,
    });
    expect(refs('the person it was merged into; a person-search; from persons')).toEqual({});
  });
});
