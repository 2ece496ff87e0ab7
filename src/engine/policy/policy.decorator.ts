import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Extensions } from '@nestjs/graphql';
import type { Role } from '../principal';
import type { Decision, FieldRef, PolicySubject } from './decision';
import type { SubjectTags } from './subject-tag';

export const POLICY_METADATA = 'hub:policy';

/** Where the subject of a personal-data resolver comes from. */
export type SubjectSource =
  /** From the arguments (and parent): `person(id)`. The decision is taken before the resolver runs. */
  | { fromArgs: (args: Record<string, unknown>, parent: unknown) => PolicySubject }
  /** From each item of the result: a search. The decision is taken per item, before any field is released. */
  | { fromResult: (item: unknown) => PolicySubject | undefined }
  /**
   * From each item of the result, a group of subjects decided together in one call (a household and its
   * members, a page of search results): each subject gets its own decision, recorded as usual, and the
   * group's `release` tags the item's parts with them. An item without a group stays untagged (withheld).
   */
  | { fromResultGroups: (item: unknown) => SubjectGroup | undefined };

/** Several subjects inside one result item, and how their decisions are applied to the item's parts. */
export interface SubjectGroup {
  subjects: PolicySubject[];
  /**
   * Called with the decisions before their audit events are written: work that releases nothing (e.g.
   * asking the sources for what was allowed) starts, so it overlaps the write. May return a promise that
   * resolves once that work is on its way (its requests handed to the network); the events wait for it.
   */
  prepare?(decisions: ReadonlyMap<string, Decision>): Promise<void> | undefined;
  /** Tags each part with its subject's decision in the request's `tags` (and may drop parts nothing may be said about). */
  release(decisions: ReadonlyMap<string, Decision>, tags: SubjectTags): void;
}

export type PolicyDeclaration =
  /** Open to anyone, token or not (e.g. `hubInfo`, health). Holds no personal data. */
  | { kind: 'public' }
  /** Operational data with no person as its subject (agreements, organisations): a role check. */
  | { kind: 'roles'; roles: Role[] }
  /** Personal data about a person: roles, then the policy decision point for every protected field asked for. */
  | { kind: 'subject'; operation: string; subject: SubjectSource; roles?: Role[] }
  /** A field resolver under an object whose subject was already decided; its protected fields are enforced as usual. */
  | { kind: 'parent' };

/** Declares the access policy of a resolver, field resolver or controller. Without one it is refused. */
export function Policy(declaration: PolicyDeclaration): MethodDecorator & ClassDecorator {
  if (declaration.kind !== 'subject') return SetMetadata(POLICY_METADATA, declaration);
  // The schema marks where a new subject starts, so that the requested fields of one person are never
  // counted as requested about another.
  return applyDecorators(
    SetMetadata(POLICY_METADATA, declaration),
    Extensions({ [POLICY_SUBJECT_EXTENSION]: true }),
  ) as MethodDecorator & ClassDecorator;
}

/** Explicitly open: no token needed. */
export const Public = () => Policy({ kind: 'public' });

/** Any of these roles; for data about no particular person. */
export const Roles = (...roles: Role[]) => Policy({ kind: 'roles', roles });

/** Personal data about the subject the source names; every protected field goes through the decision point. */
Policy.subject = (operation: string, subject: SubjectSource, roles?: Role[]) =>
  Policy({ kind: 'subject', operation, subject, ...(roles ? { roles } : {}) });

/** A field resolver governed by the subject decision of its parent object. */
Policy.parent = () => Policy({ kind: 'parent' });

export const POLICY_FIELD_EXTENSION = 'policyField';
export const POLICY_SUBJECT_EXTENSION = 'policySubject';
export const POLICY_OPEN_EXTENSION = 'policyOpen';

/**
 * On a GraphQL model field: the value is the agreement field `ref` and is released only when the decision
 * for the object's subject releases it; otherwise it is null with a `WITHHELD_BY_POLICY` error.
 */
export const ReleasedAs = (ref: FieldRef) => Extensions({ [POLICY_FIELD_EXTENSION]: ref });

/**
 * On a GraphQL model field under a subject that carries no personal data of its own (e.g. the hub's person
 * id the caller already named, or a source name). Say why: the reason is for the reviewer.
 */
export const NotPersonalData = (why: string) => Extensions({ [POLICY_OPEN_EXTENSION]: why });
