import {
  applyMutation,
  RunningSandbox,
  SandboxDefinition,
  SandboxRequest,
  SandboxResponse,
  SandboxStartOptions,
  serveSandbox,
} from '../../../src/sandbox/sandbox-kit';
import { Borough } from '../../../src/sandbox/borough-model';
import { EducationData, educationDataFromBorough, EducationStore } from './education-store';

/**
 * The education sandbox: a school information system that publishes its nightly pupil extract as a CSV file
 * over HTTPS (`GET /extracts/pupils.csv`, bearer token), written from its current pupils on each request.
 */
export const educationSandbox: SandboxDefinition = {
  id: 'education',
  fromBorough: educationDataFromBorough,
  truth: (borough: Borough) =>
    Object.entries(educationDataFromBorough(borough).personIds).map(([sourceKey, personId]) => ({
      sourceKey,
      personId,
    })),
  async start(options: SandboxStartOptions): Promise<RunningSandbox> {
    const store = await EducationStore.load(options.dataFile);
    return serveSandbox(
      'education',
      options,
      { header: 'authorization', value: `Bearer ${options.secret}` },
      {
        handle: (request) => handle(store, request),
        mutate: (body) => applyMutation(store, body),
      },
    );
  },
};

export type { EducationData };

function handle(store: EducationStore, request: SandboxRequest): SandboxResponse | undefined {
  if (request.method !== 'GET') return undefined;
  if (request.path === '/status') return { status: 200, body: { status: 'ok' } };
  if (request.path === '/extracts/pupils.csv')
    return { status: 200, body: store.extract(), contentType: 'text/csv; charset=utf-8' };
  return undefined;
}
