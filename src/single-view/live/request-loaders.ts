import { Injectable, Logger } from '@nestjs/common';
import DataLoader from 'dataloader';
import { parseFieldRef } from '../../access/policy/field-ref';
import type { FieldRef } from '../../access/policy/policy.types';
import { AuditRecorder } from '../../engine/audit-recorder';
import { HubRequestContext, RequestSlot } from '../../engine/request-context';
import { ServiceRecord } from '../../sources/source-adapter';
import { CaseAssignmentsService, HoldingTeam } from '../../access/relationships/case-assignments.service';
import { IndexedPerson, PersonDirectory } from '../../identity/directory/person-directory.service';
import { failure, isSourceFailure, LiveSources, SourceFailure } from './live-sources.service';

/** The part of the request's context the loaders use. */
export type LoaderContext = Pick<HubRequestContext, 'principal' | 'requestId' | 'declaredAccess'>;

/** Where a request's loaders are kept: in its context (HubRequestContext), one set per request. */
const LOADERS = new RequestSlot<RequestLoaders>('single-view loaders');

type Outcome = ServiceRecord[];

interface LoaderDeps {
  directory: PersonDirectory;
  assignments: CaseAssignmentsService;
  live: LiveSources;
  audit: AuditRecorder;
}

/**
 * Per-request DataLoaders (created on first use in the GraphQL context, dropped with it): the index reads
 * and the live detail lookups of one request. Every key a request asks of a source in the same tick goes in
 * one `fetchDetails` call, sources in parallel; each answer is cached for the rest of the request only, so
 * a key is never fetched twice and nothing outlives the request. When a source fails, the failure is
 * recorded in the audit trail once, with the persons and the released fields it could not deliver.
 */
export class RequestLoaders {
  private readonly logger = new Logger('SingleView');
  readonly indexed: DataLoader<string, IndexedPerson>;
  readonly holdingTeams: DataLoader<string, HoldingTeam[]>;
  private readonly details = new Map<string, DataLoader<string, Outcome>>();
  /** Per source: resolves those waiting for its next call to be on its way (see `prefetch`). */
  private readonly nextDispatch = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  /** Per source: the persons and released fields this request wanted from it (for the failure record). */
  private readonly wanted = new Map<string, { persons: Set<string>; refs: Set<FieldRef> }>();

  constructor(
    private readonly deps: LoaderDeps,
    private readonly context: LoaderContext,
  ) {
    this.indexed = new DataLoader(async (ids) => {
      const found = await deps.directory.indexed(ids);
      return ids.map((id) => found.get(id)!);
    });
    this.holdingTeams = new DataLoader(async (ids) => {
      const teams = await deps.assignments.holdingTeams(ids, new Date());
      return ids.map((id) => teams.get(id) ?? []);
    });
  }

  /**
   * Starts reading these persons' index rows (one query with whatever else this tick asks for), so that they
   * are in the request's memory by the time their decisions are taken. Reading them releases nothing and
   * asks no source; a failure is answered to whichever field reads them later.
   */
  warm(personIds: readonly string[]): void {
    void this.indexed.loadMany(personIds);
  }

  /**
   * The person's records at `source`, live, for the fields `refs` that were released. Throws the
   * SourceFailure when the source could not answer.
   */
  async serviceRecords(source: string, person: IndexedPerson, refs: readonly FieldRef[]): Promise<ServiceRecord[]> {
    const keys = person.keys.get(source) ?? [];
    if (keys.length === 0) return [];
    this.want(source, person.personId, refs);
    const outcomes = await this.loader(source).loadMany(keys);
    const records: ServiceRecord[] = [];
    for (const outcome of outcomes) {
      if (outcome instanceof Error) throw isSourceFailure(outcome) ? outcome : failure(source, outcome);
      records.push(...outcome);
    }
    return records;
  }

  /**
   * Asks for many persons' records at once (a household, a page of results), so they share one call per
   * source. Resolves once that call is handed to the source's transport, or once these keys are answered
   * (keys asked for earlier, an adapter that does not say, a call that failed first); never with the
   * records: errors are answered to the field resolvers.
   */
  prefetch(source: string, persons: readonly { person: IndexedPerson; refs: readonly FieldRef[] }[]): Promise<void> {
    const loads: Promise<unknown>[] = [];
    for (const { person, refs } of persons) {
      const keys = person.keys.get(source) ?? [];
      if (keys.length === 0) continue;
      this.want(source, person.personId, refs);
      loads.push(this.loader(source).loadMany(keys));
    }
    if (loads.length === 0) return Promise.resolve();
    return Promise.race([this.dispatchOfNextCall(source), Promise.all(loads)]).then(() => undefined);
  }

  /** Resolves when the next call to `source` is handed to its transport. */
  private dispatchOfNextCall(source: string): Promise<void> {
    let next = this.nextDispatch.get(source);
    if (!next) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      next = { promise, resolve };
      this.nextDispatch.set(source, next);
    }
    return next.promise;
  }

  private want(source: string, personId: string, refs: readonly FieldRef[]): void {
    const entry = this.wanted.get(source) ?? { persons: new Set<string>(), refs: new Set<FieldRef>() };
    entry.persons.add(personId);
    for (const ref of refs) entry.refs.add(ref);
    this.wanted.set(source, entry);
  }

  private loader(source: string): DataLoader<string, Outcome> {
    let loader = this.details.get(source);
    if (!loader) {
      loader = new DataLoader<string, Outcome>(async (keys) => {
        const dispatched = this.nextDispatch.get(source)?.resolve ?? (() => undefined);
        this.nextDispatch.delete(source);
        try {
          const found = await this.deps.live.fetch(source, keys, {
            requestId: this.context.requestId,
            onDispatch: dispatched,
          });
          return keys.map((key) => found.get(key) ?? []);
        } catch (error) {
          const failed = failure(source, error);
          await this.recordFailure(failed);
          // Each key of this call answers with the failure (an Error, so DataLoader rejects it for this request).
          return keys.map(() => failed);
        }
      });
      this.details.set(source, loader);
    }
    return loader;
  }

  private async recordFailure(failed: SourceFailure): Promise<void> {
    const wanted = this.wanted.get(failed.source);
    const principal = this.context.principal;
    try {
      const access = this.context.declaredAccess();
      await this.deps.audit.record({
        ...(principal ? { actor: principal } : {}),
        operation: 'single-view.source-unavailable',
        subjects: { persons: [...(wanted?.persons ?? [])] },
        withheld: [...(wanted?.refs ?? [])].map((ref) => {
          const parsed = parseFieldRef(ref)!;
          return { source: parsed.source, field: `${parsed.category}.${parsed.field}` };
        }),
        purpose: access.purpose,
        caseReference: access.caseReference,
        decision: 'error',
        reasons: [`${failed.source} unavailable (${failed.reason}): released fields not delivered`],
        requestId: this.context.requestId,
        detail: { source: failed.source, reason: failed.reason },
      });
    } catch (error) {
      // Nothing of this source is released either way; the decision events already name what was allowed.
      this.logger.error(`could not record that ${failed.source} was unavailable: ${(error as Error).message}`);
    }
  }
}

/** Hands out each request's loaders, kept in its context. */
@Injectable()
export class RequestLoadersFactory {
  private readonly deps: LoaderDeps;

  constructor(
    directory: PersonDirectory,
    assignments: CaseAssignmentsService,
    live: LiveSources,
    audit: AuditRecorder,
  ) {
    this.deps = { directory, assignments, live, audit };
  }

  of(context: HubRequestContext): RequestLoaders {
    return context.slot(LOADERS, () => new RequestLoaders(this.deps, context));
  }
}
