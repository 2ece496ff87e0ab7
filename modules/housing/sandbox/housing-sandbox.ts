import {
  applyMutation,
  LifeEventDesk,
  pageSizeOf,
  RunningSandbox,
  SandboxDefinition,
  SandboxRequest,
  SandboxResponse,
  SandboxStartOptions,
  serveSandbox,
} from '../../../src/sandbox/sandbox-kit';
import { formatHousingTimestamp, HousingTenant, parseHousingTimestamp } from '../housing-api.types';
import { receiveHousingNotification } from './housing-life-events';
import { housingDataFromBorough, HousingStore } from './housing-store';

const apiKeyHeader = 'x-api-key';

/**
 * The housing sandbox: a tenancy management system's API. API key in `x-api-key`; page-numbered lists
 * (`?page=&pageSize=`), changes by `?modifiedSince=dd/MM/yyyy HH:mm:ss` (tombstones included); batch
 * details by POST; life events by `POST /api/v2/life-event-notifications` (housing-life-events.ts).
 */
export const housingSandbox: SandboxDefinition = {
  id: 'housing',
  fromBorough: housingDataFromBorough,
  async start(options: SandboxStartOptions): Promise<RunningSandbox> {
    const store = await HousingStore.load(options.dataFile);
    const desk = await LifeEventDesk.open(store, `${options.dataFile}.life-events.jsonl`);
    return serveSandbox(
      'housing',
      options,
      { header: apiKeyHeader, value: options.secret },
      {
        handle: (request) =>
          request.method === 'POST' && request.path === '/api/v2/life-event-notifications'
            ? receiveHousingNotification(store, desk, request.body)
            : handle(store, request),
        mutate: (body) => applyMutation(store, body),
        lifeEvents: () => desk.applied(),
      },
    );
  },
};

function handle(store: HousingStore, request: SandboxRequest): SandboxResponse | undefined {
  if (request.method === 'GET' && request.path === '/api/v2/status') return { status: 200, body: { status: 'OK' } };
  if (request.method === 'GET' && request.path === '/api/v2/tenants') {
    const pageSize = pageSizeOf(request.query.get('pageSize'), 100);
    const page = Number(request.query.get('page') ?? 1);
    if (!Number.isInteger(page) || page < 1)
      return { status: 400, body: { error: 'page must be a whole number from 1' } };
    const since = request.query.get('modifiedSince');
    let rows: HousingTenant[];
    if (since !== null) {
      const at = parseHousingTimestamp(since);
      if (Number.isNaN(at)) return { status: 400, body: { error: 'modifiedSince must be dd/MM/yyyy HH:mm:ss' } };
      rows = store.changedSince(at);
    } else rows = store.current();
    const extractedAt = formatHousingTimestamp(Date.now());
    return {
      status: 200,
      body: {
        page,
        pageSize,
        totalPages: Math.ceil(rows.length / pageSize),
        totalRecords: rows.length,
        extractedAt,
        tenants: rows.slice((page - 1) * pageSize, page * pageSize),
      },
    };
  }
  if (request.method === 'POST' && request.path === '/api/v2/tenants/details') {
    const refs = (request.body as { tenantRefs?: unknown })?.tenantRefs;
    if (!Array.isArray(refs) || refs.length > 1000 || !refs.every((r) => typeof r === 'string')) {
      return { status: 400, body: { error: 'tenantRefs must be a list of up to 1000 references' } };
    }
    const found = new Map(store.find(refs).map((t) => [t.tenant_ref, t]));
    const results = refs.filter((ref) => found.has(ref)).map((ref) => details(found.get(ref)!));
    return { status: 200, body: { results } };
  }
  return undefined;
}

function details(t: HousingTenant) {
  return {
    tenantRef: t.tenant_ref,
    tenancies: t.tenancy_ref
      ? [
          {
            tenancy_ref: t.tenancy_ref,
            tenancy_role: t.tenancy_role,
            tenure: t.tenure ?? null,
            tenancy_start: t.tenancy_start ?? null,
            tenancy_end: t.tenancy_end ?? null,
            rent_account_status: t.rent_account_status ?? null,
            uprn: t.property?.uprn ?? null,
          },
        ]
      : [],
    applications: t.application_ref
      ? [
          {
            application_ref: t.application_ref,
            tenancy_role: t.tenancy_role,
            application_status: t.application_status ?? null,
            application_date: t.tenancy_start ?? null,
          },
        ]
      : [],
  };
}
