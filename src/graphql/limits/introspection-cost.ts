import {
  FieldNode,
  GraphQLArgument,
  GraphQLDirective,
  GraphQLEnumValue,
  GraphQLField,
  GraphQLInputField,
  GraphQLSchema,
  GraphQLType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isWrappingType,
  Kind,
  SelectionSetNode,
  ValidationContext,
} from 'graphql';

/**
 * What an introspection object stands for. Introspection resolves from the schema alone, so
 * following these exactly as graphql does tells how many fields a selection will resolve.
 */
type Meta =
  | { kind: '__Schema'; of: GraphQLSchema }
  | { kind: '__Type'; of: GraphQLType }
  | { kind: '__Field'; of: GraphQLField<unknown, unknown> }
  | { kind: '__InputValue'; of: GraphQLArgument | GraphQLInputField }
  | { kind: '__EnumValue'; of: GraphQLEnumValue }
  | { kind: '__Directive'; of: GraphQLDirective };

const typeMeta = (of: GraphQLType): Meta => ({ kind: '__Type', of });
const fieldMeta = (of: GraphQLField<unknown, unknown>): Meta => ({ kind: '__Field', of });
const inputValueMeta = (of: GraphQLArgument | GraphQLInputField): Meta => ({ kind: '__InputValue', of });

/** The objects a list or object field of `__Schema` resolves to; undefined for a scalar field. */
function schemaChildren(schema: GraphQLSchema, name: string): Meta[] | undefined {
  const roots: Record<string, GraphQLType | null | undefined> = {
    queryType: schema.getQueryType(),
    mutationType: schema.getMutationType(),
    subscriptionType: schema.getSubscriptionType(),
  };
  if (name === 'types') return Object.values(schema.getTypeMap()).map(typeMeta);
  if (name === 'directives') return schema.getDirectives().map((of) => ({ kind: '__Directive', of }));
  if (name in roots) return roots[name] ? [typeMeta(roots[name])] : [];
  return undefined;
}

/** Likewise for `__Type`: an empty list where graphql answers null (e.g. `fields` of a scalar). */
function typeChildren(schema: GraphQLSchema, type: GraphQLType, name: string): Meta[] | undefined {
  const composite = isObjectType(type) || isInterfaceType(type) ? type : undefined;
  switch (name) {
    case 'fields':
      return composite ? Object.values(composite.getFields()).map(fieldMeta) : [];
    case 'interfaces':
      return composite ? composite.getInterfaces().map(typeMeta) : [];
    case 'possibleTypes':
      return isAbstractType(type) ? schema.getPossibleTypes(type).map(typeMeta) : [];
    case 'inputFields':
      return isInputObjectType(type) ? Object.values(type.getFields()).map(inputValueMeta) : [];
    case 'enumValues':
      return isEnumType(type) ? type.getValues().map((of) => ({ kind: '__EnumValue', of })) : [];
    case 'ofType':
      return isWrappingType(type) ? [typeMeta(type.ofType)] : [];
    default:
      return undefined;
  }
}

/** The objects `name` resolves to on `meta`, as graphql's introspection resolvers would. */
function children(schema: GraphQLSchema, meta: Meta, name: string): Meta[] | undefined {
  switch (meta.kind) {
    case '__Schema':
      return schemaChildren(schema, name);
    case '__Type':
      return typeChildren(schema, meta.of, name);
    case '__Field':
      if (name === 'args') return meta.of.args.map(inputValueMeta);
      return name === 'type' ? [typeMeta(meta.of.type)] : undefined;
    case '__InputValue':
      return name === 'type' ? [typeMeta(meta.of.type)] : undefined;
    case '__Directive':
      return name === 'args' ? meta.of.args.map(inputValueMeta) : undefined;
    case '__EnumValue':
      return undefined;
  }
}

/**
 * Counts the fields an introspection root field (`__schema` or `__type`) will resolve: every
 * field of every object it reaches, each alias on its own, deprecated members included. Each
 * selection is measured once per schema element, so a deep or fragment-heavy document costs
 * time in proportion to its size, not to the (possibly astronomic) count it returns.
 */
export function introspectionCounter(context: ValidationContext): (field: FieldNode) => number {
  const schema = context.getSchema();
  const measured = new Map<SelectionSetNode, Map<object, number>>();
  const countOf = (set: SelectionSetNode | undefined, meta: Meta): number => {
    if (!set) return 0;
    const known = measured.get(set) ?? new Map<object, number>();
    measured.set(set, known);
    const cached = known.get(meta.of);
    if (cached !== undefined) return cached;
    // A fragment cycle (refused by graphql's own rules) measures as 0 instead of recursing forever.
    known.set(meta.of, 0);
    let count = 0;
    const spread = new Set<string>();
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const reached = children(schema, meta, selection.name.value) ?? [];
        count += 1 + reached.reduce((sum, child) => sum + countOf(selection.selectionSet, child), 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count += countOf(selection.selectionSet, meta);
      } else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        count += countOf(context.getFragment(selection.name.value)?.selectionSet, meta);
      }
    }
    known.set(meta.of, count);
    return count;
  };
  return (field) => {
    if (field.name.value === '__schema') return 1 + countOf(field.selectionSet, { kind: '__Schema', of: schema });
    return 1 + typesNamed(schema, field).reduce((most, type) => Math.max(most, countOf(field.selectionSet, type)), 0);
  };
}

/** The type `__type(name:)` asks for; every named type when the name is a variable (the costliest counts). */
function typesNamed(schema: GraphQLSchema, field: FieldNode): Meta[] {
  const name = field.arguments?.find((arg) => arg.name.value === 'name')?.value;
  if (name?.kind === Kind.STRING) {
    const type = schema.getType(name.value);
    return type ? [typeMeta(type)] : [];
  }
  return Object.values(schema.getTypeMap()).map(typeMeta);
}

/** Whether a field is an introspection entry point, whose cost is its introspection count. */
export function isIntrospectionRoot(field: FieldNode): boolean {
  return field.name.value === '__schema' || field.name.value === '__type';
}
