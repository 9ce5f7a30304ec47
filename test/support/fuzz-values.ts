import {
  getNullableType,
  GraphQLEnumType,
  GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import {
  hostileString,
  invalidText,
  notADateTime,
  notAnInt,
  oddDateTime,
  oddId,
  oddInt,
  Random,
  wrongType,
} from './fuzz-random';

/** What the value generator may use besides randomness. */
export interface ValueSource {
  random: Random;
  /** Ids of real rows (objects, deletions, notifications, users): hostile input next to valid ids hits more code. */
  knownIds: readonly string[];
  /**
   * Probability that a position gets a value of the wrong type (or a null, a bad enum, an unknown
   * field): GraphQL refuses the whole document at validation then, so this stays low.
   */
  hostility: number;
  /**
   * Probability that a position gets a value of the right type that is hostile all the same
   * (invalid text, 1 MB, a forged cursor, an unknown id, a negative page size): these pass
   * validation and reach the resolvers, the services and SQL.
   */
  oddity: number;
}

/** An input value as JSON, for one argument or input field of `type`: plausible or hostile. */
export function inputValue(type: GraphQLInputType, source: ValueSource, depth = 0): unknown {
  const { random } = source;
  if (random.chance(source.hostility / 10)) return wrongType(random);
  if (isNonNullType(type)) return random.chance(source.hostility / 10) ? null : inputValue(type.ofType, source, depth);
  if (isListType(type)) return listValue(type.ofType, source, depth);
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) ? random.chance(0.95) : random.chance(0.4))
        value[field.name] = inputValue(field.type, source, depth + 1);
    }
    if (random.chance(source.hostility / 5)) value.fuzzUnknownField = wrongType(random);
    return value;
  }
  if (isEnumType(type)) return enumValue(type, source);
  return scalarValue(isScalarType(type) ? type.name : '', source);
}

function listValue(item: GraphQLInputType, source: ValueSource, depth: number): unknown {
  const { random } = source;
  const length = random.weighted([
    [6, random.int(0, 3)],
    [source.oddity, 1001],
    [source.oddity / 2, 20_000],
  ]);
  // One value for a list position: GraphQL coerces it to a list of one.
  if (random.chance(0.05)) return inputValue(item, source, depth + 1);
  // Items repeat a few generated values so a 20,000-item list costs little to build and to send.
  const samples = Array.from({ length: Math.min(length, 4) }, () => inputValue(item, source, depth + 1));
  return Array.from({ length }, (_, i) => samples[i % samples.length]);
}

function enumValue(type: GraphQLEnumType, source: ValueSource): unknown {
  const { random } = source;
  const names = type.getValues().map((value) => value.name);
  if (!random.chance(source.hostility)) return random.pick(names);
  return random.pick([random.pick(names).toLowerCase(), 'NOT_A_VALUE', '', 7, `${random.pick(names)} `]);
}

function scalarValue(name: string, source: ValueSource): unknown {
  const { random } = source;
  const wrong = random.chance(source.hostility);
  const odd = random.chance(source.oddity);
  switch (name) {
    case 'String':
      return wrong ? wrongType(random) : odd ? hostileString(random) : random.pick(PLAIN_STRINGS);
    case 'ID':
      if (wrong) return random.pick([true, 1.5, {}, []]);
      return odd || source.knownIds.length === 0 ? oddId(random) : random.pick(source.knownIds);
    case 'Int':
      return wrong ? notAnInt(random) : odd ? oddInt(random) : random.int(1, 50);
    case 'SafeInt':
      if (wrong) return random.pick([2 ** 53, -(2 ** 53), 1.5, '12', 1e308]);
      return odd ? random.pick([0, -1, 2 ** 53 - 1, -(2 ** 53 - 1)]) : random.int(0, 10_000);
    case 'Boolean':
      return wrong ? random.pick(['true', 0, 1, 'yes']) : random.chance(0.5);
    case 'DateTime':
      if (wrong) return notADateTime(random);
      return odd ? oddDateTime(random) : new Date(Date.UTC(2026, random.int(0, 11), 1)).toISOString();
    default:
      return wrongType(random);
  }
}

const PLAIN_STRINGS = ['fuzz', 'Acme deal', 'ä€😀', 'a'.repeat(20)];

/** A slot in a generated value tree that holds a string: where invalid text can go. */
type TextSlot = (text: string) => void;

/** Every String or ID position present in `value`, which was generated for `type`. */
export function textSlots(type: GraphQLInputType, value: unknown, slot: TextSlot): TextSlot[] {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return textSlots(nullable.ofType, value, slot);
    // Items may share one object (see listValue): poisoning a field inside it poisons every copy, which is fine.
    return value.flatMap((item, i) => textSlots(nullable.ofType, item, (text) => (value[i] = text)));
  }
  if (isInputObjectType(nullable) && isRecord(value)) {
    return Object.entries(nullable.getFields()).flatMap(([name, field]) =>
      name in value ? textSlots(field.type, value[name], (text) => (value[name] = text)) : [],
    );
  }
  const isText = isScalarType(nullable) && (nullable.name === 'String' || nullable.name === 'ID');
  return isText && typeof value === 'string' ? [slot] : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Puts invalid text into one string position of `args`; false when they hold no string at all. */
export function poisonWithText(
  args: Record<string, { type: GraphQLInputType; value: unknown }>,
  random: Random,
): boolean {
  const slots = Object.values(args).flatMap((arg) => textSlots(arg.type, arg.value, (text) => (arg.value = text)));
  if (slots.length === 0) return false;
  random.pick(slots)(invalidText(random));
  return true;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** `value` as a GraphQL literal for a position of `type`: strings at enum positions print bare, as enums do. */
export function literal(value: unknown, type: GraphQLInputType): string {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return 'null';
  if (isListType(nullable) && !Array.isArray(value)) return literal(value, nullable.ofType);
  if (typeof value === 'string') return isEnumType(nullable) && NAME.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const itemType = isListType(nullable) ? nullable.ofType : nullable;
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, itemType)).join(', ')}]`;
  const fields = isInputObjectType(nullable) ? nullable.getFields() : {};
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([name, item]) => `${name}: ${literal(item, fields[name]?.type ?? nullable)}`,
  );
  return `{${entries.join(', ')}}`;
}
