import { Decision, PolicySubject } from './decision';

const SUBJECT = Symbol('hub:policy-subject');

/** The decision an object (and everything under it) is released under. */
export interface SubjectTag {
  subject: PolicySubject;
  decision: Decision;
}

/** The tag on a resolved value, if it has one. */
export function tagOf(value: unknown): SubjectTag | undefined {
  return value !== null && typeof value === 'object' ? (value as { [SUBJECT]?: SubjectTag })[SUBJECT] : undefined;
}

/**
 * Marks a value (an object, or each object in a list) as released under `tag`. Objects already tagged keep
 * their own tag: a nested person is governed by its own decision, not its parent's. The property is a
 * non-enumerable symbol, so it never reaches a response, a log line or JSON.
 */
export function tagValue(value: unknown, tag: SubjectTag): void {
  if (Array.isArray(value)) {
    for (const item of value) tagValue(item, tag);
    return;
  }
  if (value === null || typeof value !== 'object' || tagOf(value) || !Object.isExtensible(value)) return;
  Object.defineProperty(value, SUBJECT, { value: tag, enumerable: false });
}
