import { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';
import { RelatedSelection } from '../domain/archive/related-rows';

/**
 * The fields of `sets`, with named and inline fragments opened (whatever their type condition: a
 * field selected for one object type only is still read for the page, which is harmless).
 */
function fieldsOf(sets: readonly SelectionSetNode[], fragments: Record<string, FragmentDefinitionNode>): FieldNode[] {
  const fields: FieldNode[] = [];
  const open = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) open(selection.selectionSet);
      else {
        const fragment = fragments[selection.name.value];
        if (fragment) open(fragment.selectionSet);
      }
    }
  };
  sets.forEach(open);
  return fields;
}

/**
 * The names (never the aliases) of the fields selected at `path` below the field being resolved,
 * through fragments, aliases and every node of `info.fieldNodes` (a field may be asked twice).
 * `@skip`/`@include` are not read: a skipped field is read for nothing, never missed.
 */
function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const name of path) {
    sets = fieldsOf(sets, info.fragments).flatMap((field) =>
      field.name.value === name && field.selectionSet ? [field.selectionSet] : [],
    );
  }
  return new Set(fieldsOf(sets, info.fragments).map((field) => field.name.value));
}

/** The row key behind each Attachment field that is not a key of its own (a URL from the id; the uploader by id). */
const ATTACHMENT_KEYS: Record<string, string> = { url: 'id', createdBy: 'createdById' };

/**
 * Which of a node's related rows a connection of CrmObjects selects, with the keys each needs, to
 * read them in the page's statement: only the columns the query asks for.
 */
export function relatedOf(info: GraphQLResolveInfo): RelatedSelection {
  const node = ['edges', 'node'];
  const fields = selectedFields(info, node);
  const keysOf = (field: string) => [...selectedFields(info, [...node, field])];
  return {
    createdBy: fields.has('createdBy') ? keysOf('createdBy') : undefined,
    archivedBy: fields.has('archivedBy') ? keysOf('archivedBy') : undefined,
    attachments: fields.has('attachments')
      ? keysOf('attachments').map((field) => ATTACHMENT_KEYS[field] ?? field)
      : undefined,
  };
}
