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
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { ErrorCode } from '../../errors';
import { introspectionCounter, isIntrospectionRoot } from './introspection-cost';

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

/** The refusal every limit gives, before anything runs. */
function tooMuch(node: ASTNode, message: string): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

/**
 * Refuses operations nested deeper than `maxDepth` fields (counting through fragments), so a
 * client cannot make the server walk an unbounded tree. Introspection is deep by design (type
 * references nest `ofType` nine levels), so it has its own, larger bound: `maxIntrospectionDepth`
 * counts every field, introspection included.
 */
export function depthLimit(maxDepth: number, maxIntrospectionDepth = maxDepth): ValidationRule {
  return (context: ValidationContext) => {
    const measure = (withIntrospection: boolean) => {
      const depthOf = (set: SelectionSetNode | undefined): number => {
        if (!set) return 0;
        let deepest = 0;
        for (const selection of set.selections) {
          if (selection.kind === Kind.FIELD) {
            if (!withIntrospection && selection.name.value.startsWith('__')) continue;
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
      return (node: OperationDefinitionNode) => depthOf(node.selectionSet) + 1;
    };
    const dataDepth = measure(false);
    const fullDepth = measure(true);
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const depth = dataDepth(node);
        const withIntrospection = fullDepth(node);
        if (depth > maxDepth) {
          context.reportError(tooMuch(node, `The operation is ${depth} levels deep; at most ${maxDepth} are allowed.`));
        } else if (withIntrospection > maxIntrospectionDepth) {
          context.reportError(
            tooMuch(
              node,
              `The operation's introspection is ${withIntrospection} levels deep; at most ${maxIntrospectionDepth} are allowed.`,
            ),
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
 * Aliases count one by one, so a request cannot repeat an expensive field under a hundred names;
 * a fragment spread twice in one selection counts once, as graphql executes it once.
 * `__typename` costs 1; `__schema` and `__type` cost the fields their introspection resolves.
 */
export function costLimit(maxCost: number): ValidationRule {
  return (context: ValidationContext) => {
    const schema = context.getSchema();
    const typeNamed = (name: string | undefined, fallback: GraphQLNamedType | undefined) =>
      (name ? schema.getType(name) : undefined) ?? fallback;
    const introspectionCount = introspectionCounter(context);
    const costOf = (set: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined): number => {
      if (!set) return 0;
      let cost = 0;
      const spread = new Set<string>();
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD && isIntrospectionRoot(selection)) {
          cost += introspectionCount(selection);
        } else if (selection.kind === Kind.FIELD) {
          // `__typename` is not among the parent's fields: it costs 1, like any leaf.
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

/**
 * Refuses operations whose introspection (`__schema`, `__type`, under any number of aliases)
 * resolves more than `maxCount` fields. Introspection runs in memory, with no page to bound it,
 * and a client needs the schema once: one full introspection passes, a flood of copies does not.
 */
export function introspectionLimit(maxCount: number): ValidationRule {
  return (context: ValidationContext) => {
    const introspectionCount = introspectionCounter(context);
    // Introspection roots sit in the root selection, possibly through fragments on the root type.
    const countAt = (set: SelectionSetNode | undefined, spread: Set<string>): number => {
      let count = 0;
      for (const selection of set?.selections ?? []) {
        if (selection.kind === Kind.FIELD) {
          count += isIntrospectionRoot(selection) ? introspectionCount(selection) : 0;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count += countAt(selection.selectionSet, spread);
        } else if (!spread.has(selection.name.value)) {
          spread.add(selection.name.value);
          count += countAt(context.getFragment(selection.name.value)?.selectionSet, spread);
        }
      }
      return count;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const count = countAt(node.selectionSet, new Set());
        if (count > maxCount) {
          context.reportError(
            tooMuch(
              node,
              `The operation's introspection resolves ${count} fields; at most ${maxCount} are allowed: introspect the schema once.`,
            ),
          );
        }
      },
    };
  };
}
