import type { Request, Response } from 'express';
import type { FieldRef } from '../../access/policy/policy.types';
import type { AuditRecorder } from '../../engine/audit-recorder';
import { HubRequestContext } from '../../engine/request-context';
import type { FetchOptions, ServiceRecord } from '../../sources/source-adapter';
import type { CaseAssignmentsService } from '../../access/relationships/case-assignments.service';
import type { IndexedPerson, PersonDirectory } from '../../identity/directory/person-directory.service';
import type { LiveSources } from './live-sources.service';
import { RequestLoaders } from './request-loaders';

type Fetch = (
  source: string,
  keys: readonly string[],
  options: Omit<FetchOptions, 'signal'>,
) => Promise<Map<string, ServiceRecord[]>>;

const tenancy: ServiceRecord = { category: 'tenancy', recordId: 'T1', fields: { tenure: 'secure' } };
const refs = ['housing.tenancy.tenure' as FieldRef];
const person = (personId: string, key: string): IndexedPerson => ({
  personId,
  records: [],
  golden: {} as IndexedPerson['golden'],
  keys: new Map([['housing', [key]]]),
});

function loadersWith(fetch: Fetch) {
  const calls: { keys: readonly string[]; options: Omit<FetchOptions, 'signal'> }[] = [];
  const live = {
    fetch: (source: string, keys: readonly string[], options: Omit<FetchOptions, 'signal'> = {}) => {
      calls.push({ keys, options });
      return fetch(source, keys, options);
    },
  } as unknown as LiveSources;
  const audit = { record: async () => ({ seq: '1', hash: '' }) } as unknown as AuditRecorder;
  const loaders = new RequestLoaders(
    { directory: {} as PersonDirectory, assignments: {} as CaseAssignmentsService, live, audit },
    new HubRequestContext({ headers: {} } as Request, {} as Response, 'req-1'),
  );
  return { loaders, calls };
}

/** Whether `promise` has settled once the microtask queue and pending I/O have had a turn. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('RequestLoaders.prefetch', () => {
  it('asks a source once for everyone, and resolves when the call is handed over, not when it is answered', async () => {
    let answer!: (found: Map<string, ServiceRecord[]>) => void;
    const { loaders, calls } = loadersWith((_source, _keys, options) => {
      options.onDispatch?.();
      return new Promise((resolve) => (answer = resolve));
    });
    const onItsWay = loaders.prefetch('housing', [
      { person: person('p1', 'K1'), refs },
      { person: person('p2', 'K2'), refs },
    ]);
    expect(await settled(onItsWay)).toBe(true);
    expect(calls).toEqual([{ keys: ['K1', 'K2'], options: expect.objectContaining({ requestId: 'req-1' }) }]);

    const records = loaders.serviceRecords('housing', person('p1', 'K1'), refs);
    expect(await settled(records)).toBe(false);
    answer(new Map([['K1', [tenancy]]]));
    await expect(records).resolves.toEqual([tenancy]);
    expect(calls).toHaveLength(1);
  });

  it('resolves when a call ends without saying it was handed over (an adapter that drops the option, or a failure)', async () => {
    let fail!: (error: Error) => void;
    const { loaders } = loadersWith(() => new Promise((_resolve, reject) => (fail = reject)));
    const onItsWay = loaders.prefetch('housing', [{ person: person('p1', 'K1'), refs }]);
    expect(await settled(onItsWay)).toBe(false);
    fail(new Error('connection refused'));
    await expect(onItsWay).resolves.toBeUndefined();
    await expect(loaders.serviceRecords('housing', person('p1', 'K1'), refs)).rejects.toMatchObject({
      source: 'housing',
    });
  });

  it('resolves at once when there is nothing to ask, and for keys already answered', async () => {
    const { loaders, calls } = loadersWith(async () => new Map([['K1', [tenancy]]]));
    const unknownThere: IndexedPerson = { ...person('p2', 'K2'), keys: new Map() };
    expect(await settled(loaders.prefetch('housing', [{ person: unknownThere, refs }]))).toBe(true);
    await loaders.prefetch('housing', [{ person: person('p1', 'K1'), refs }]);
    await loaders.serviceRecords('housing', person('p1', 'K1'), refs);
    expect(await settled(loaders.prefetch('housing', [{ person: person('p1', 'K1'), refs }]))).toBe(true);
    expect(calls).toHaveLength(1);
  });
});
