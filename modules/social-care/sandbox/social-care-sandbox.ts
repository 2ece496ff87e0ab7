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
import { parseCareTimestamp } from '../social-care-api.types';
import { receiveCareNotification } from './social-care-life-events';
import { careDataFromBorough, CareStore } from './social-care-store';

/**
 * The social care sandbox: a case management product's API. Bearer token; people in keyset pages by last
 * update (`/api/people?updatedSince=yyyyMMddHHmmssSSS&afterId=&limit=`), removals as `REMOVED` records;
 * involvements for many people by POST search; life events by `POST /api/notifications`
 * (social-care-life-events.ts).
 */
export const socialCareSandbox: SandboxDefinition = {
  id: 'social-care',
  fromBorough: careDataFromBorough,
  async start(options: SandboxStartOptions): Promise<RunningSandbox> {
    const store = await CareStore.load(options.dataFile);
    const desk = await LifeEventDesk.open(store, `${options.dataFile}.life-events.jsonl`);
    return serveSandbox(
      'social-care',
      options,
      { header: 'authorization', value: `Bearer ${options.secret}` },
      {
        handle: (request) =>
          request.method === 'POST' && request.path === '/api/notifications'
            ? receiveCareNotification(store, desk, request.body)
            : handle(store, request),
        mutate: (body) => applyMutation(store, body),
        lifeEvents: () => desk.applied(),
      },
    );
  },
};

function handle(store: CareStore, request: SandboxRequest): SandboxResponse | undefined {
  if (request.method === 'GET' && request.path === '/api/health') return { status: 200, body: { state: 'RUNNING' } };
  if (request.method === 'GET' && request.path === '/api/people') {
    const limit = pageSizeOf(request.query.get('limit'), 25);
    const since = request.query.get('updatedSince') ?? undefined;
    if (since !== undefined && Number.isNaN(parseCareTimestamp(since)))
      return { status: 400, body: { message: 'updatedSince must be yyyyMMddHHmmssSSS' } };
    const { people, more } = store.after(since, request.query.get('afterId') ?? undefined, limit);
    return { status: 200, body: { people, count: people.length, moreAvailable: more } };
  }
  if (request.method === 'POST' && request.path === '/api/involvements/search') {
    const ids = (request.body as { personIds?: unknown })?.personIds;
    if (!Array.isArray(ids) || ids.length > 1000 || !ids.every((i) => typeof i === 'string')) {
      return { status: 400, body: { message: 'personIds must be a list of up to 1000 ids' } };
    }
    return { status: 200, body: { involvements: store.involvementsOf(ids) } };
  }
  return undefined;
}
