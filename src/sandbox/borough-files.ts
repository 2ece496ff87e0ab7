import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { Borough, RecordedIdentity } from './borough-model';
import { BoroughOptions, generateBorough, groundTruth } from './borough-generator';
import { SandboxDefinition } from './sandbox-kit';
import { readJsonFile, writeJsonFile } from './sandbox-storage';

export interface BoroughManifest {
  seed: string;
  households: number;
  referenceDate: string;
  people: number;
  records: Record<string, number>;
}

export const manifestName = 'borough.json';
export const groundTruthName = 'ground-truth.json';

/** The storage file of one sandbox in a borough directory. */
export function sandboxDataFile(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

/**
 * Generates a borough and writes it as each sandbox's own storage file, the ground truth, and a manifest.
 * With `csv`, also each source's identities as CSV (one layout, with the true person id) and a mapping for
 * the matching engine's `link` and `eval` commands.
 */
export async function writeBorough(
  dir: string,
  options: BoroughOptions,
  sandboxes: readonly SandboxDefinition[],
  csv = false,
): Promise<BoroughManifest> {
  const borough = generateBorough(options);
  await mkdir(dir, { recursive: true });
  for (const sandbox of sandboxes) await writeJsonFile(sandboxDataFile(dir, sandbox.id), sandbox.fromBorough(borough));
  const truth = groundTruth(borough, sandboxes);
  await writeJsonFile(join(dir, groundTruthName), truth);
  if (csv) await writeCsv(dir, borough);
  const manifest: BoroughManifest = {
    seed: borough.seed,
    households: borough.householdCount,
    referenceDate: borough.referenceDate,
    people: borough.people.length,
    records: Object.fromEntries(sandboxes.map((s) => [s.id, truth.records.filter((r) => r.source === s.id).length])),
  };
  // Written last: a manifest means the borough is whole.
  await writeJsonFile(join(dir, manifestName), manifest);
  return manifest;
}

/** The borough in `dir`, generated on first use and kept (with any changes made since) afterwards. */
export async function ensureBorough(
  dir: string,
  options: BoroughOptions,
  sandboxes: readonly SandboxDefinition[],
  log: (line: string) => void,
): Promise<BoroughManifest> {
  const manifestFile = join(dir, manifestName);
  if (existsSync(manifestFile)) {
    const manifest = await readJsonFile<BoroughManifest>(manifestFile);
    const missing = sandboxes.filter((s) => !existsSync(sandboxDataFile(dir, s.id)));
    if (missing.length > 0) {
      // A source added since the borough was made: its part is generated from the same borough, the others kept.
      log(`adding ${missing.map((s) => s.id).join(', ')} to the sandbox borough in ${dir}`);
      const borough = generateBorough({
        households: manifest.households,
        seed: manifest.seed,
        referenceDate: manifest.referenceDate,
      });
      for (const sandbox of missing)
        await writeJsonFile(sandboxDataFile(dir, sandbox.id), sandbox.fromBorough(borough));
    }
    if (manifest.seed !== options.seed || manifest.households !== options.households) {
      log(
        `sandbox borough in ${dir} was made with seed "${manifest.seed}" and ${manifest.households} households; keeping it (delete the directory to regenerate)`,
      );
    }
    return manifest;
  }
  log(`generating a sandbox borough of ${options.households} households (seed "${options.seed}") in ${dir}`);
  return writeBorough(dir, options, sandboxes);
}

const csvColumns = [
  'record_id',
  'source',
  'source_key',
  'given_name',
  'middle_names',
  'family_name',
  'previous_family_names',
  'date_of_birth',
  'sex',
  'nino',
  'nhs_number',
  'uprn',
  'address_line_1',
  'address_line_2',
  'address_line_3',
  'locality',
  'postcode',
  'phone',
  'email',
  'household_keys',
  'person_id',
  'household_id',
];

/** The `link` / `eval` mapping for the CSV layout written here. */
export const csvMapping = {
  recordId: 'record_id',
  fields: {
    givenName: 'given_name',
    middleNames: 'middle_names',
    familyName: 'family_name',
    previousFamilyNames: 'previous_family_names',
    dateOfBirth: 'date_of_birth',
    sex: 'sex',
    nino: 'nino',
    nhsNumber: 'nhs_number',
    uprn: 'uprn',
    addressLines: ['address_line_1', 'address_line_2', 'address_line_3'],
    locality: 'locality',
    postcode: 'postcode',
    phone: 'phone',
    email: 'email',
  },
};

async function writeCsv(dir: string, borough: Borough): Promise<void> {
  const addresses = new Map(borough.addresses.map((a) => [a.id, a]));
  const householdOf = new Map<string, string>();
  for (const h of borough.households) for (const m of h.members) householdOf.set(m.personId, h.id);
  const row = (source: string, key: string, group: string | undefined, v: RecordedIdentity) => {
    const address = addresses.get(v.addressId)!;
    return [
      `${source}:${key}`,
      source,
      key,
      v.givenName,
      v.middleNames ?? '',
      v.familyName,
      (v.previousFamilyNames ?? []).join(';'),
      v.dateOfBirth ?? '',
      v.sex ?? '',
      v.nino ?? '',
      v.nhsNumber ?? '',
      address.uprn,
      address.lines[0] ?? '',
      address.lines[1] ?? '',
      address.lines[2] ?? '',
      address.locality,
      address.postcode,
      v.phone ?? '',
      v.email ?? '',
      group ?? '',
      v.personId,
      householdOf.get(v.personId) ?? '',
    ];
  };
  const files: [string, unknown[][]][] = [
    ['housing', borough.housing.map((v) => row('housing', v.tenantRef, v.groupRef, v))],
    ['benefits', borough.benefits.map((v) => row('benefits', v.partyId, v.claimRef, v))],
    ['social-care', borough.socialCare.map((v) => row('social-care', v.carePersonId, v.familyId, v))],
  ];
  for (const [source, rows] of files) await writeFile(join(dir, `${source}.csv`), stringify([csvColumns, ...rows]));
  await writeFile(join(dir, 'mapping.json'), `${JSON.stringify(csvMapping, null, 2)}\n`);
}
