import {
  getNamedType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLResolveInfo,
  isInterfaceType,
  isObjectType,
  Kind,
  SelectionSetNode,
} from 'graphql';
import { POLICY_FIELD_EXTENSION, POLICY_SUBJECT_EXTENSION } from './policy.decorator';
import { FieldRef } from './decision';

/**
 * The protected fields (`@ReleasedAs`) a query selects under the current field, through nested objects,
 * fragments and inline fragments, stopping where another subject starts. This is the field set the
 * decision point is asked about, and so exactly what the audit event lists.
 */
export function requestedFields(info: GraphQLResolveInfo): FieldRef[] {
  const found = new Set<FieldRef>();
  const seen = new Set<SelectionSetNode>();

  const visit = (
    type: GraphQLOutputType | ReturnType<typeof info.schema.getType>,
    selectionSet: SelectionSetNode | undefined,
  ) => {
    if (!selectionSet || !type || seen.has(selectionSet)) return;
    seen.add(selectionSet);
    const named = getNamedType(type);
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!isObjectType(named) && !isInterfaceType(named)) continue;
        const field = (named as GraphQLObjectType).getFields()[selection.name.value];
        if (!field) continue;
        if (field.extensions?.[POLICY_SUBJECT_EXTENSION]) continue;
        const ref = field.extensions?.[POLICY_FIELD_EXTENSION];
        if (typeof ref === 'string') found.add(ref);
        visit(field.type, selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(
          selection.typeCondition
            ? (info.schema.getType(selection.typeCondition.name.value) as GraphQLOutputType)
            : named,
          selection.selectionSet,
        );
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment)
          visit(info.schema.getType(fragment.typeCondition.name.value) as GraphQLOutputType, fragment.selectionSet);
      }
    }
  };

  for (const node of info.fieldNodes) visit(info.returnType, node.selectionSet);
  return [...found].sort();
}
