import type { Request, Response } from 'express';
import { requestIdOf } from '../common/request-id';
import { accessContextFrom } from './access-context';
import type { AccessContext } from './policy/decision';
import { SubjectTags } from './policy/subject-tag';
import type { Principal } from './principal';

/** The verified principal of an HTTP request, when it has one (the passport strategy puts it on `req.user`). */
export function principalOf(req: Request): Principal | undefined {
  return (req as Request & { user?: Principal }).user;
}

/**
 * A typed slot of per-request state owned by a domain (e.g. the single view's DataLoaders): created on
 * first use from the request's context, kept on that context, dropped with it. The engine knows the slot,
 * never what a domain keeps in it.
 */
export class RequestSlot<T> {
  /** Never set: ties the slot to the type of what it holds. */
  declare readonly holds?: T;

  constructor(readonly name: string) {}
}

/**
 * What every resolver receives as its GraphQL context, one per request: the request itself, its id, the
 * verified principal, the access context its headers declare (read once), the access context checked
 * against the purposes catalogue (once, by the policy service), the decisions its result objects are
 * released under (`subjectTags`) and the domains' per-request state (DataLoaders, disclosure admissions).
 * Nothing of a request is kept anywhere else.
 */
export class HubRequestContext {
  /** The headers' access context, or why it was refused: parsed once, on first use. */
  private declared?: { context: AccessContext } | { error: unknown };
  /** The access context checked against the catalogue, with its refusal audited once (PolicyService). */
  checkedAccess?: Promise<AccessContext>;
  /** The decision each result object is released under (tagged by the policy interceptor, read by the field policy). */
  readonly subjectTags = new SubjectTags();
  private readonly slots = new Map<RequestSlot<unknown>, unknown>();

  constructor(
    readonly req: Request,
    readonly res: Response,
    readonly requestId: string = requestIdOf(req),
  ) {}

  /** The verified principal, once the guard (or a plugin, through the authenticator) has verified the token. */
  get principal(): Principal | undefined {
    return principalOf(this.req);
  }

  /**
   * The access context from `x-purpose`, `x-case-reference` and `x-break-glass`, read once; a malformed or
   * missing header throws the same refusal each time it is asked for.
   */
  declaredAccess(): AccessContext {
    if (!this.declared) {
      try {
        this.declared = { context: accessContextFrom(this.req) };
      } catch (error) {
        this.declared = { error };
      }
    }
    if ('error' in this.declared) throw this.declared.error;
    return this.declared.context;
  }

  /** The declared access context, or none when the headers are refused (for audit events about something else). */
  declaredAccessOrNone(): AccessContext {
    try {
      return this.declaredAccess();
    } catch {
      return {};
    }
  }

  /** The request's state in `slot`, created by `create` on first use. */
  slot<T>(slot: RequestSlot<T>, create: () => T): T {
    if (this.slots.has(slot)) return this.slots.get(slot) as T;
    const value = create();
    this.slots.set(slot, value);
    return value;
  }
}
