import {
  ArgumentNode,
  ASTNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  GraphQLField,
  GraphQLNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';

/**
 * Refuses operations nested deeper than `maxDepth` fields (counting through fragments), so a
 * client cannot make the server walk an unbounded tree. Introspection is exempt: it is deep by design.
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, (selection.selectionSet ? 1 : 0) + depthOf(selection.selectionSet, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        } else if (!seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          deepest = Math.max(deepest, depthOf(fragment?.selectionSet, new Set(seen).add(selection.name.value)));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const depth = depthOf(node.selectionSet, new Set()) + 1;
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`The operation is ${depth} levels deep; at most ${maxDepth} are allowed.`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        }
      },
    };
  };
}

/** The page size assumed when `first` is a variable: the largest page allowed. */
const VARIABLE_PAGE_SIZE = 200;

/**
 * Refuses operations whose estimated cost exceeds `maxCost`. Each field costs 1; a field taking
 * `first` multiplies the cost of its selection by the page size it asks for (its default when
 * omitted, the largest page when a variable, since validation runs before variables are known).
 * Aliases count one by one, so a request cannot repeat an expensive field under a hundred names.
 */
export function costLimit(maxCost: number): ValidationRule {
  return (context: ValidationContext) => {
    const schema = context.getSchema();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const typeNamed = (name: string | undefined, fallback: GraphQLNamedType | undefined) =>
      (name ? schema.getType(name) : undefined) ?? fallback;
    const costOf = (set: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined, seen: Set<string>) => {
      if (!set) return 0;
      let cost = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const field =
            isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
          const child = field ? getNamedType(field.type) : undefined;
          cost += 1 + pageSizeOf(selection.arguments ?? [], field) * costOf(selection.selectionSet, child, seen);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          cost += costOf(selection.selectionSet, typeNamed(selection.typeCondition?.name.value, parent), seen);
        } else if (!seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          const type = typeNamed(fragment?.typeCondition.name.value, parent);
          cost += costOf(fragment?.selectionSet, type, new Set(seen).add(selection.name.value));
        }
      }
      return cost;
    };
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const cost = costOf(node.selectionSet, schema.getRootType(node.operation) ?? undefined, new Set());
        if (cost > maxCost) {
          context.reportError(
            new GraphQLError(
              `The operation's estimated cost is ${cost}; at most ${maxCost} is allowed: ask for fewer fields or smaller pages.`,
              { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } },
            ),
          );
        }
      },
    };
  };
}

/** The page size a field's `first` asks for: its literal, its default when omitted, the largest page for a variable; 1 for other fields. */
function pageSizeOf(args: readonly ArgumentNode[], field: GraphQLField<unknown, unknown> | undefined): number {
  const first = args.find((arg) => arg.name.value === 'first');
  if (first?.value.kind === Kind.INT) return Math.max(1, Number(first.value.value));
  if (first) return VARIABLE_PAGE_SIZE;
  const declared = field?.args.find((arg) => arg.name === 'first')?.defaultValue;
  return typeof declared === 'number' ? Math.max(1, declared) : 1;
}
