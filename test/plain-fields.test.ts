import { getMetadataStorage } from 'type-graphql';
import { createSchema } from '../src/graphql/schema';

// Types built with PLAIN_FIELDS (src/graphql/types/plain-fields.ts) have their fields read directly by
// graphql-js, which would silently skip an @Authorized or @UseMiddleware put on one of their @Fields.

beforeAll(async () => {
  await createSchema();
});

describe('types whose fields are read as plain properties', () => {
  it('exist: every object type of the API is one', () => {
    const types = getMetadataStorage().objectTypes;
    expect(types.length).toBeGreaterThan(10);
    expect(types.filter((type) => !type.simpleResolvers).map((type) => type.name)).toEqual([]);
  });

  it('have no @Authorized or middleware on a field: those belong on resolvers', () => {
    const storage = getMetadataStorage();
    const plain = new Set<unknown>(
      storage.objectTypes.filter((type) => type.simpleResolvers).map((type) => type.target),
    );
    const guarded = [...storage.authorizedFields, ...storage.middlewares].filter((field) => plain.has(field.target));
    expect(guarded.map((field) => `${(field.target as { name: string }).name}.${field.fieldName}`)).toEqual([]);
    // The resolvers' own guards are there, so the check above looks at the right lists.
    expect(storage.authorizedFields.length).toBeGreaterThan(0);
  });
});
