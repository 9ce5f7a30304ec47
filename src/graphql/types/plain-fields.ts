/**
 * Options of an @ObjectType whose fields are plain properties of the values its resolvers return:
 * graphql-js then reads each field directly, instead of through type-graphql's per-field wrapper
 * (a middleware chain run for every field of every node, a few percent of a page's CPU). That
 * wrapper is also what would run @Authorized or @UseMiddleware put on a @Field, so these types may
 * have neither (test/plain-fields.test.ts fails if one does): role checks stay on queries,
 * mutations and @FieldResolver methods, which keep their wrapper.
 */
export const PLAIN_FIELDS = { simpleResolvers: true } as const;
