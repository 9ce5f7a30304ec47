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
import { ErrorCode } from '../errors';

/**
 * Measures each fragment of the document once, whatever the number of spreads naming it: without
 * this, a chain of fragments each spreading the next twice makes validation exponential. A
 * fragment spread inside itself (a cycle, refused by graphql's own rule) measures as 0.
 */
function fragmentMeasure(
  context: ValidationContext,
  measure: (fragment: FragmentDefinitionNode) => number,
): (name: string) => number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, number>();
  return (name) => {
    const known = measured.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    measured.set(name, 0);
    const value = fragment ? measure(fragment) : 0;
    measured.set(name, value);
    return value;
  };
}

/** The refusal both limits give, before anything runs. */
function tooMuch(node: ASTNode, message: string): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

/**
 * Refuses operations nested deeper than `maxDepth` fields (counting through fragments), so a
 * client cannot make the server walk an unbounded tree. Introspection is exempt: it is deep by design.
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => {
    const depthOf = (set: SelectionSetNode | undefined): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, (selection.selectionSet ? 1 : 0) + depthOf(selection.selectionSet));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet));
        } else {
          deepest = Math.max(deepest, fragmentDepth(selection.name.value));
        }
      }
      return deepest;
    };
    const fragmentDepth = fragmentMeasure(context, (fragment) => depthOf(fragment.selectionSet));
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const depth = depthOf(node.selectionSet) + 1;
        if (depth > maxDepth) {
          context.reportError(tooMuch(node, `The operation is ${depth} levels deep; at most ${maxDepth} are allowed.`));
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
 * Aliases count one by one, so a request cannot repeat an expensive field under a hundred names;
 * a fragment spread twice in one selection counts once, as graphql executes it once.
 */
export function costLimit(maxCost: number): ValidationRule {
  return (context: ValidationContext) => {
    const schema = context.getSchema();
    const typeNamed = (name: string | undefined, fallback: GraphQLNamedType | undefined) =>
      (name ? schema.getType(name) : undefined) ?? fallback;
    const costOf = (set: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined): number => {
      if (!set) return 0;
      let cost = 0;
      const spread = new Set<string>();
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const field =
            isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
          const child = field ? getNamedType(field.type) : undefined;
          cost += 1 + pageSizeOf(selection.arguments ?? [], field) * costOf(selection.selectionSet, child);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          cost += costOf(selection.selectionSet, typeNamed(selection.typeCondition?.name.value, parent));
        } else if (!spread.has(selection.name.value)) {
          spread.add(selection.name.value);
          cost += fragmentCost(selection.name.value);
        }
      }
      return cost;
    };
    const fragmentCost = fragmentMeasure(context, (fragment) =>
      costOf(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)),
    );
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const cost = costOf(node.selectionSet, schema.getRootType(node.operation) ?? undefined);
        if (cost > maxCost) {
          context.reportError(
            tooMuch(
              node,
              `The operation's estimated cost is ${cost}; at most ${maxCost} is allowed: ask for fewer fields or smaller pages.`,
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
