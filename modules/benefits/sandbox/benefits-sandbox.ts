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
import { receiveBenefitsLifeEvent } from './benefits-life-events';
import { benefitsDataFromBorough, BenefitsStore } from './benefits-store';

const username = 'hub';

/**
 * The benefits sandbox: a revenues and benefits product's API. HTTP basic auth; one change feed of claim
 * parties with opaque cursors (`/v1/parties?cursor=&limit=`), deletions as tombstones; claims by party ids;
 * life events by `POST /v1/life-events` (benefits-life-events.ts).
 */
export const benefitsSandbox: SandboxDefinition = {
  id: 'benefits',
  fromBorough: benefitsDataFromBorough,
  async start(options: SandboxStartOptions): Promise<RunningSandbox> {
    const store = await BenefitsStore.load(options.dataFile);
    const desk = await LifeEventDesk.open(store, `${options.dataFile}.life-events.jsonl`);
    const expected = `Basic ${Buffer.from(`${username}:${options.secret}`).toString('base64')}`;
    return serveSandbox(
      'benefits',
      options,
      { header: 'authorization', value: expected },
      {
        handle: (request) =>
          request.method === 'POST' && request.path === '/v1/life-events'
            ? receiveBenefitsLifeEvent(store, desk, request.body)
            : handle(store, request),
        mutate: (body) => applyMutation(store, body),
        lifeEvents: () => desk.applied(),
      },
    );
  },
};

function handle(store: BenefitsStore, request: SandboxRequest): SandboxResponse | undefined {
  if (request.method === 'GET' && request.path === '/v1/ping') return { status: 200, body: { ok: true } };
  if (request.method === 'GET' && request.path === '/v1/parties') {
    const limit = pageSizeOf(request.query.get('limit'), 50);
    const cursor = request.query.get('cursor');
    const seq = cursor === null ? 0 : decode(cursor);
    if (seq === undefined) return { status: 400, body: { error: 'invalid_cursor' } };
    const { parties, more } = store.after(seq, limit);
    const last = parties.length ? parties[parties.length - 1].changeSeq : seq;
    return { status: 200, body: { data: parties, next_cursor: encode(last), has_more: more } };
  }
  if (request.method === 'GET' && request.path === '/v1/claims') {
    const ids = request.query.getAll('partyId');
    if (ids.length === 0 || ids.length > 1000)
      return { status: 400, body: { error: 'give 1 to 1000 partyId parameters' } };
    const claims = store.claimsFor(ids).map(({ claim, parties }) => ({
      ...claim,
      parties: parties.map((p) => ({ partyId: p.partyId, partyRole: p.partyRole })),
    }));
    return { status: 200, body: { claims } };
  }
  return undefined;
}

function encode(seq: number): string {
  return Buffer.from(`rb1:${seq}`).toString('base64url');
}

function decode(cursor: string): number | undefined {
  const match = /^rb1:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
