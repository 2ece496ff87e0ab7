import { Borough, HousingView } from '../../../src/sandbox/borough-model';
import { AppliedLifeEvent, JournalledStore } from '../../../src/sandbox/sandbox-kit';
import { readJsonFile, writeJsonFile, WriteQueue } from '../../../src/sandbox/sandbox-storage';
import { formatHousingTimestamp, HousingTenant, parseHousingTimestamp } from '../housing-api.types';

export interface HousingData {
  format: 'housing-sandbox/1';
  tenants: HousingTenant[];
  /** The life events told to the sandbox (LifeEventDesk), saved with the records they changed. */
  lifeEvents?: AppliedLifeEvent[];
  /** The last line of the life event desk's log these records include. */
  lifeEventSeq?: number;
}

const roles: Record<HousingView['role'], HousingTenant['tenancy_role']> = {
  'lead-tenant': 'Lead Tenant',
  'joint-tenant': 'Joint Tenant',
  'household-member': 'Household Member',
  lodger: 'Lodger',
  applicant: 'Applicant',
  'applicant-member': 'Applicant Household',
};
const rentStatus = { clear: 'Clear', 'in-credit': 'In Credit', arrears: 'Arrears', closed: 'Closed' } as const;
const applicationStatus = {
  open: 'Open',
  prevention: 'Prevention Duty',
  relief: 'Relief Duty',
  'main-duty': 'Main Duty Accepted',
  closed: 'Closed',
};

/** The housing sandbox's records from the borough, in the housing product's own shape. */
export function housingDataFromBorough(borough: Borough): HousingData {
  const addresses = new Map(borough.addresses.map((a) => [a.id, a]));
  const tenants = borough.housing.map((v): HousingTenant => {
    const address = addresses.get(v.addressId)!;
    return {
      tenant_ref: v.tenantRef,
      title: v.title ?? null,
      full_name: [v.givenName, v.middleNames, v.familyName].filter(Boolean).join(' '),
      previous_surname: v.previousFamilyNames?.[0] ?? null,
      dob: v.dateOfBirth ? ukDate(v.dateOfBirth) : null,
      gender: v.sex === 'F' ? 'Female' : v.sex === 'M' ? 'Male' : 'Not Known',
      ni_number: v.nino ?? null,
      nhs_no: v.nhsNumber ?? null,
      property: {
        uprn: address.uprn,
        address1: address.lines[0] ?? null,
        address2: address.lines[1] ?? null,
        address3: address.lines[2] ?? null,
        town: address.locality,
        post_code: address.postcode,
      },
      tel: v.phone ?? null,
      email: v.email ?? null,
      tenancy_ref: v.kind === 'tenancy' ? v.groupRef : null,
      application_ref: v.kind === 'application' ? v.groupRef : null,
      tenancy_role: roles[v.role],
      tenure: v.tenure
        ? ({ secure: 'Secure', introductory: 'Introductory', temporary: 'Temporary' } as const)[v.tenure]
        : null,
      tenancy_start: ukDate(v.start),
      tenancy_end: v.end ? ukDate(v.end) : null,
      rent_account_status: v.rentAccountStatus ? rentStatus[v.rentAccountStatus] : null,
      application_status: v.applicationStatus ? applicationStatus[v.applicationStatus] : null,
      last_modified: formatHousingTimestamp(Date.parse(v.updatedAt)),
      record_status: 'Current',
    };
  });
  return { format: 'housing-sandbox/1', tenants };
}

function ukDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** In-memory records, loaded from and written back to the sandbox's own JSON file. */
export class HousingStore implements JournalledStore {
  private readonly writes = new WriteQueue();
  private lastStamp = 0;

  private constructor(
    private readonly file: string,
    private readonly tenants: HousingTenant[],
    readonly lifeEvents: AppliedLifeEvent[],
    public lifeEventSeq: number,
  ) {}

  static async load(file: string): Promise<HousingStore> {
    const data = await readJsonFile<HousingData>(file);
    if (data.format !== 'housing-sandbox/1') throw new Error(`${file} is not housing sandbox data`);
    return new HousingStore(file, data.tenants, data.lifeEvents ?? [], data.lifeEventSeq ?? 0);
  }

  raw(ref: string): HousingTenant | undefined {
    return this.tenants.find((t) => t.tenant_ref === ref);
  }

  restore(ref: string, raw: unknown): void {
    const at = this.tenants.findIndex((t) => t.tenant_ref === ref);
    if (raw === undefined || raw === null) {
      if (at >= 0) this.tenants.splice(at, 1);
      return;
    }
    const tenant = raw as HousingTenant;
    if (at >= 0) this.tenants[at] = tenant;
    else this.tenants.push(tenant);
    const stamped = parseHousingTimestamp(tenant.last_modified);
    if (!Number.isNaN(stamped)) this.lastStamp = Math.max(this.lastStamp, stamped);
  }

  get(ref: string): HousingTenant | undefined {
    return this.tenants.find((t) => t.tenant_ref === ref && t.record_status !== 'Deleted');
  }

  set(ref: string, fields: Record<string, unknown>): void {
    this.patch(ref, fields);
  }

  add(_ref: string, record: Record<string, unknown>): void {
    this.upsert(record);
  }

  /** Current records on a tenancy or application (by its reference). */
  onGroup(ref: string): HousingTenant[] {
    return this.tenants.filter(
      (t) => t.record_status !== 'Deleted' && (t.tenancy_ref === ref || t.application_ref === ref),
    );
  }

  /** The next free tenant reference (T and seven digits). */
  nextTenantRef(): string {
    let max = 0;
    for (const t of this.tenants) {
      const n = /^T(\d{7})$/.exec(t.tenant_ref)?.[1];
      if (n) max = Math.max(max, Number(n));
    }
    return `T${String(max + 1).padStart(7, '0')}`;
  }

  /** Current records in tenant reference order (the product's default listing). */
  current(): HousingTenant[] {
    return this.tenants
      .filter((t) => t.record_status !== 'Deleted')
      .sort((a, b) => compare(a.tenant_ref, b.tenant_ref));
  }

  /** Records (deleted ones too) changed at or after `since`, oldest change first. */
  changedSince(since: number): HousingTenant[] {
    return this.tenants
      .map((t) => ({ t, at: parseHousingTimestamp(t.last_modified) }))
      .filter(({ at }) => !(at < since))
      .sort((a, b) => a.at - b.at || compare(a.t.tenant_ref, b.t.tenant_ref))
      .map(({ t }) => t);
  }

  find(refs: readonly string[]): HousingTenant[] {
    const wanted = new Set(refs);
    return this.tenants.filter((t) => wanted.has(t.tenant_ref) && t.record_status !== 'Deleted');
  }

  /** Adds or replaces a record by tenant_ref; a record without one is added as it is (bad data happens). */
  upsert(record: Record<string, unknown>): HousingTenant {
    const stored = { ...record, record_status: 'Current', last_modified: this.stamp() } as unknown as HousingTenant;
    const at =
      typeof record.tenant_ref === 'string' ? this.tenants.findIndex((t) => t.tenant_ref === record.tenant_ref) : -1;
    if (at >= 0) this.tenants[at] = stored;
    else this.tenants.push(stored);
    return stored;
  }

  patch(ref: string, changes: Record<string, unknown>): HousingTenant | undefined {
    const tenant = this.tenants.find((t) => t.tenant_ref === ref);
    if (!tenant) return undefined;
    Object.assign(tenant, changes, { last_modified: this.stamp() });
    return tenant;
  }

  /** Housing keeps a tombstone, so the change list can say the record went. */
  remove(ref: string): boolean {
    const tenant = this.tenants.find((t) => t.tenant_ref === ref && t.record_status !== 'Deleted');
    if (!tenant) return false;
    tenant.record_status = 'Deleted';
    tenant.last_modified = this.stamp();
    return true;
  }

  save(): Promise<void> {
    return this.writes.run(() =>
      writeJsonFile(this.file, {
        format: 'housing-sandbox/1',
        tenants: this.tenants,
        lifeEvents: this.lifeEvents,
        lifeEventSeq: this.lifeEventSeq,
      }),
    );
  }

  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp);
    return formatHousingTimestamp(this.lastStamp);
  }
}

function compare(a: unknown, b: unknown): number {
  return String(a ?? '\uffff').localeCompare(String(b ?? '\uffff'));
}
