import { Decision, PolicySubject } from './decision';

/** The decision an object (and everything under it) is released under. */
export interface SubjectTag {
  subject: PolicySubject;
  decision: Decision;
}

/**
 * The decisions a request's result objects are released under, one register per request, held by its
 * `HubRequestContext` (`subjectTags`) and dropped with it. The policy interceptor (and a subject group)
 * tags what a resolver returns; the field policy reads the tag of each field's parent and tags what the
 * field returns with it. Nothing is written on the objects themselves, so nothing of a decision can reach a
 * response, a log line or JSON, or outlive the request on an object shared with another one.
 */
export class SubjectTags {
  private readonly tags = new WeakMap<object, SubjectTag>();

  /** The tag of a resolved value, if it has one. */
  of(value: unknown): SubjectTag | undefined {
    return value !== null && typeof value === 'object' ? this.tags.get(value) : undefined;
  }

  /**
   * Marks a value (an object, or each object in a list) as released under `tag`. Objects already tagged keep
   * their own tag: a nested person is governed by its own decision, not its parent's. A frozen object (a
   * shared, cached value) is left untagged, as it always was: its protected fields are withheld.
   */
  tag(value: unknown, tag: SubjectTag): void {
    if (Array.isArray(value)) {
      for (const item of value) this.tag(item, tag);
      return;
    }
    if (value === null || typeof value !== 'object' || this.tags.has(value) || !Object.isExtensible(value)) return;
    this.tags.set(value, tag);
  }
}
