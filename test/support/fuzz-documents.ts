import {
  getNamedType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLOutputType,
  GraphQLSchema,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isUnionType,
  OperationTypeNode,
} from 'graphql';
import { ONE_MB, Random } from './fuzz-random';
import { inputValue, literal, poisonWithText, textSlots, ValueSource } from './fuzz-values';
import { documentHostility, requestHostility } from './fuzz-hostility';

/** The JSON a GraphQL-over-HTTP client sends (and graphql-ws carries as its subscribe payload). */
export interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

/** One generated request. */
export interface FuzzCase {
  kind: OperationTypeNode;
  body: GraphQLRequestBody;
  /**
   * Why the request must be refused, or undefined when it may succeed. Every mutation carries a
   * poison (see `mutationCase`), so any mutation answered without an error is a finding.
   */
  mustRefuse?: string;
}

/** What a case is built from: the served schema, real ids from the fixture, and the case's generator. */
export interface CaseSource {
  schema: GraphQLSchema;
  knownIds: readonly string[];
  random: Random;
}

/** Collects the variables a document declares, with their values. */
class Variables {
  readonly definitions: string[] = [];
  readonly values: Record<string, unknown> = {};

  /** `mayOmit`: sometimes leave a declared variable out (never for a mutation: its poison could go with it). */
  constructor(private readonly mayOmit: boolean) {}

  /** The argument as `$vN` (declared, sometimes with a wrong type) or as an inline literal. */
  encode(type: GraphQLInputType, value: unknown, random: Random): string {
    if (random.chance(0.5)) return literal(value, type);
    const name = `v${this.definitions.length}`;
    const declared = random.chance(0.05) ? random.pick(['String', 'Int!', '[ID!]!', 'Boolean']) : String(type);
    this.definitions.push(`$${name}: ${declared}`);
    if (!(this.mayOmit && random.chance(0.03))) this.values[name] = value;
    return `$${name}`;
  }

  toString(): string {
    return this.definitions.length === 0 ? '' : `(${this.definitions.join(', ')})`;
  }
}

/** What selection sets and arguments are built with. */
interface Builder {
  schema: GraphQLSchema;
  values: ValueSource;
  variables: Variables;
}

/** Generates one request from the schema: any root field of any operation type, with its arguments. */
export function generateCase(source: CaseSource): FuzzCase {
  const kind = source.random.weighted<OperationTypeNode>([
    [5, OperationTypeNode.QUERY],
    [3, OperationTypeNode.MUTATION],
    [1, OperationTypeNode.SUBSCRIPTION],
  ]);
  return kind === OperationTypeNode.MUTATION ? mutationCase(source) : readCase(source, kind);
}

/** Queries and subscriptions change nothing whatever they are sent, so they mix valid and hostile values freely. */
function readCase(source: CaseSource, kind: OperationTypeNode): FuzzCase {
  const { random, schema } = source;
  const root = schema.getRootType(kind)!;
  // Most documents have dozens of positions: a low rate per position still refuses many at
  // validation, so a share of documents is nearly valid and reaches the resolvers and SQL.
  const hostility = random.pick([0.01, 0.05, 0.2]);
  const builder = newBuilder(source, { hostility, oddity: 0.4, mayOmitVariables: true });
  // A subscription must have exactly one root field; a second one is a hostile extra.
  const count = kind === OperationTypeNode.SUBSCRIPTION ? (random.chance(0.1) ? 2 : 1) : random.int(1, 3);
  const fields = Array.from({ length: count }, () => {
    const field = random.pick(Object.values(root.getFields()));
    const args = argumentsOf(field.args, builder);
    return fieldText(field, args, selectionOf(field.type, builder, maxDepth(random)), random);
  });
  const document = `${kind}${builder.variables} { ${fields.join(' ')} }`;
  return {
    kind,
    body: requestHostility(
      { query: documentHostility(document, root, random, false), variables: builder.variables.values },
      random,
      false,
    ),
  };
}

/**
 * Mutations could change data when their input happens to be valid, which would make the
 * before/after checksum meaningless. So every mutation carries one poison that the contract
 * refuses wherever it appears: invalid text (NUL, lone surrogates) in one of its strings, an
 * unknown argument, or a value of the wrong type. The rest of its input leans valid, with real
 * ids, so the refusal has to undo real work ("all or nothing"). The checksum then proves rule 11:
 * a refused request changes nothing.
 */
function mutationCase(source: CaseSource): FuzzCase {
  const { random, schema } = source;
  const root = schema.getMutationType()!;
  const builder = newBuilder(source, { hostility: random.pick([0.01, 0.05]), oddity: 0.2, mayOmitVariables: false });
  const field = random.pick(Object.values(root.getFields()));
  const args = mutationArguments(field, builder.values);
  const poison = poisonMutation(field, args, random);
  const encoded = Object.entries(args).map(
    ([name, arg]) => `${name}: ${builder.variables.encode(arg.type, arg.value, random)}`,
  );
  if (poison === UNKNOWN_ARGUMENT) encoded.push('fuzzUnknownArgument: 1');
  const selection = selectionOf(field.type, builder, maxDepth(random));
  // Many aliases of the same poisoned field: each one must be refused. A field with a 1 MB
  // argument inline is not copied past a few MB of document (that much is past the body limit).
  const one = `${field.name}${argList(encoded)}${selection}`;
  const copies = Math.min(
    Math.max(1, Math.floor((4 * ONE_MB) / one.length)),
    random.weighted([
      [8, 1],
      [1, random.int(2, 40)],
      [1, random.pick([500, 3000])],
    ]),
  );
  const text = Array.from({ length: copies }, (_, i) => `m${i}: ${one}`);
  const document = `mutation${builder.variables} { ${text.join(' ')} }`;
  return {
    kind: OperationTypeNode.MUTATION,
    body: requestHostility(
      { query: documentHostility(document, root, random, true), variables: builder.variables.values },
      random,
      true,
    ),
    mustRefuse: `a mutation with ${poison}`,
  };
}

function newBuilder(
  source: CaseSource,
  { mayOmitVariables, ...rates }: { hostility: number; oddity: number; mayOmitVariables: boolean },
): Builder {
  const values = { random: source.random, knownIds: source.knownIds, ...rates };
  return { schema: source.schema, values, variables: new Variables(mayOmitVariables) };
}

const UNKNOWN_ARGUMENT = 'an unknown argument';

type ArgumentValues = Record<string, { type: GraphQLInputType; value: unknown }>;

/**
 * A mutation's arguments, drawn again (a few times) until they hold a string where invalid text
 * can go: an empty list or an omitted input would otherwise leave only poisons that GraphQL
 * validation refuses, and the services would rarely see a poisoned mutation.
 */
function mutationArguments(field: GraphQLField<unknown, unknown>, values: ValueSource): ArgumentValues {
  let args: ArgumentValues = {};
  for (let attempt = 0; attempt < 4; attempt++) {
    args = Object.fromEntries(
      chosenArguments(field.args, values.random).map((arg) => [
        arg.name,
        { type: arg.type, value: inputValue(arg.type, values) },
      ]),
    );
    if (Object.values(args).some((arg) => textSlots(arg.type, arg.value, () => undefined).length > 0)) return args;
  }
  return args;
}

/** Puts one value the contract refuses into a mutation's arguments (or adds an unknown one) and names it. */
function poisonMutation(field: GraphQLField<unknown, unknown>, args: ArgumentValues, random: Random): string {
  // Mostly invalid text: the other two are refused by GraphQL validation before any resolver runs.
  const kind = random.weighted([
    [6, 'text'],
    [1, 'wrong type'],
    [1, 'unknown'],
  ]);
  if (kind === 'text' && poisonWithText(args, random)) return 'invalid text (NUL or a lone surrogate)';
  if (kind === 'wrong type' && field.args.length > 0) {
    // An object with an unknown field fits no argument of any type: scalar, enum, list or input.
    const target = random.pick(field.args);
    args[target.name] = { type: target.type, value: { fuzzUnknownField: 1 } };
    return 'a value of the wrong type';
  }
  return UNKNOWN_ARGUMENT;
}

function maxDepth(random: Random): number {
  return random.weighted([
    [8, random.int(1, 4)],
    [3, random.int(5, 9)],
    [1, 40],
  ]);
}

/** Each argument (all required ones, some optional ones, sometimes an unknown one) as `name: value`. */
function argumentsOf(args: readonly GraphQLArgument[], builder: Builder): string[] {
  const { random } = builder.values;
  const encoded = chosenArguments(args, random).map(
    (arg) => `${arg.name}: ${builder.variables.encode(arg.type, inputValue(arg.type, builder.values), random)}`,
  );
  if (random.chance(builder.values.hostility / 5))
    encoded.push(`fuzzUnknownArgument: ${JSON.stringify(random.uuid())}`);
  return encoded;
}

/** Nearly always the required arguments (a missing one is hostile too), and some of the optional ones. */
function chosenArguments(args: readonly GraphQLArgument[], random: Random): readonly GraphQLArgument[] {
  return args.filter((arg) => (isNonNullType(arg.type) ? random.chance(0.95) : random.chance(0.6)));
}

function argList(encoded: string[]): string {
  return encoded.length === 0 ? '' : `(${encoded.join(', ')})`;
}

function fieldText(field: GraphQLField<unknown, unknown>, args: string[], selection: string, random: Random): string {
  const alias = random.chance(0.15) ? `a${random.int(0, 999)}: ` : '';
  return `${alias}${field.name}${argList(args)}${selection}`;
}

/** A selection set for `type` (empty for a leaf), down to `depth` levels, with hostile extras now and then. */
function selectionOf(type: GraphQLOutputType, builder: Builder, depth: number): string {
  const { random } = builder.values;
  const named = getNamedType(type);
  const { hostility } = builder.values;
  if (isLeafType(named)) return random.chance(hostility / 20) ? ' { id }' : '';
  if (depth <= 0) return ' { __typename }';
  const parts: string[] = [];
  if (!isUnionType(named)) {
    const fields = Object.values(named.getFields());
    for (let i = random.int(1, 4); i > 0; i--) {
      const field = random.pick(fields);
      parts.push(
        fieldText(field, argumentsOf(field.args, builder), selectionOf(field.type, builder, depth - 1), random),
      );
    }
  }
  if (isAbstractType(named) && random.chance(0.5)) {
    const implementation = random.pick(builder.schema.getPossibleTypes(named));
    parts.push(`... on ${implementation.name}${selectionOf(implementation, builder, depth - 1)}`);
  }
  if (random.chance(0.2)) parts.push('__typename');
  if (random.chance(hostility / 10)) parts.push('fuzzUnknownField');
  return ` { ${parts.join(' ')} }`;
}
