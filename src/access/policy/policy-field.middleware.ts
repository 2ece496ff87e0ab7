import type { FieldMiddleware, MiddlewareContext, NextFn } from '@nestjs/graphql';
import { getNamedType, GraphQLError, isLeafType } from 'graphql';
import { AccessErrorCode } from '../access.exception';
import { POLICY_FIELD_EXTENSION, POLICY_OPEN_EXTENSION, POLICY_SUBJECT_EXTENSION } from './policy.decorator';
import { tagOf, tagValue } from './subject-tag';

/** The error a withheld field carries; its value is null and the rest of the response still returns. */
export function withheldError(field: string, reason: string): GraphQLError {
  return new GraphQLError(`Withheld by policy: ${reason}`, {
    extensions: { code: AccessErrorCode.WITHHELD_BY_POLICY, domain: true, details: { field, reason } },
  });
}

/**
 * Runs on every field of every object type (installed as global field middleware), so no resolver can
 * forget it. Under an object released for a subject:
 * - a field declared `@ReleasedAs(ref)` resolves only if the subject's decision released `ref`; otherwise
 *   it is null with a WITHHELD_BY_POLICY error, and its resolver (and any source call) never runs;
 * - a scalar field with no declaration is withheld too (fail closed), unless declared `@NotPersonalData`;
 * - objects returned are tagged with the same decision, down to the leaves.
 * A `@ReleasedAs` field on an object with no decision at all is withheld.
 */
export const policyFieldMiddleware: FieldMiddleware = async (ctx: MiddlewareContext, next: NextFn) => {
  const { info, source } = ctx;
  if (!info) return next();
  const extensions = info.parentType.getFields()[info.fieldName]?.extensions ?? {};
  const tag = tagOf(source);
  const ref = extensions[POLICY_FIELD_EXTENSION];
  if (typeof ref === 'string') {
    if (!tag) throw withheldError(ref, 'no access decision covers this object');
    if (!tag.decision.released.includes(ref)) {
      const reason = tag.decision.withheld.find((w) => w.field === ref)?.reason ?? 'not released by the decision for this request';
      throw withheldError(ref, reason);
    }
  } else if (tag && !extensions[POLICY_OPEN_EXTENSION] && !extensions[POLICY_SUBJECT_EXTENSION] && isLeafType(getNamedType(info.returnType))) {
    throw withheldError(`${info.parentType.name}.${info.fieldName}`, 'this field declares no policy (ReleasedAs or NotPersonalData)');
  }
  const value = await next();
  if (tag && !extensions[POLICY_SUBJECT_EXTENSION]) tagValue(value, tag);
  return value;
};
