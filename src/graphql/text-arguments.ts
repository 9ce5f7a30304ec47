import { defaultFieldResolver, GraphQLFieldResolver, GraphQLSchema, isObjectType } from 'graphql';
import { AppError, ErrorCode } from '../errors';

// NUL and unpaired UTF-16 surrogates have no UTF-8 form PostgreSQL accepts: its error would name
// the encoding and the statement, so such text is refused before any SQL runs.
// eslint-disable-next-line no-control-regex -- NUL is one of the characters looked for.
const INVALID_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` can be stored by PostgreSQL as UTF-8 text. */
export function isStorableText(text: string): boolean {
  return !INVALID_TEXT.test(text);
}

/** The path (e.g. `input.title`, `refs.0.id`) of the first string in `value` PostgreSQL cannot store. */
function findInvalidText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = findInvalidText(item, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** The refusal for a string PostgreSQL cannot store; `where` names the argument or parameter. */
export function invalidTextError(where: string): AppError {
  return new AppError(
    ErrorCode.BAD_USER_INPUT,
    `${where} contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored; remove it.`,
    { argument: where },
  );
}

/**
 * Wraps every field that takes arguments so its coerced arguments (literals, variables and
 * defaults alike, at any depth of an input) are checked before its resolver runs. One place
 * covers every string argument of the schema, present and future; fields without arguments
 * are left untouched, so plain fields cost nothing.
 */
export function refuseInvalidTextArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      field.resolve = checked(field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = checked(field.subscribe);
    }
  }
  return schema;
}

function checked<S, C>(resolve: GraphQLFieldResolver<S, C>): GraphQLFieldResolver<S, C> {
  return (source, args, context, info) => {
    const invalid = findInvalidText(args, '');
    // The path starts with a dot: the arguments object itself has no name.
    if (invalid !== undefined) throw invalidTextError(`Argument "${invalid.slice(1)}"`);
    return resolve(source, args, context, info);
  };
}
