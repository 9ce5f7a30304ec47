import { GraphQLInterfaceType, GraphQLResolveInfo, isInterfaceType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import type { Context } from '../src/graphql/context';
import { CrmObjectResolver } from '../src/graphql/resolvers/crm-object.resolver';
import { createSchema } from '../src/graphql/schema';
import { CrmObjectType } from '../src/graphql/types/enums';
import type { User } from '../src/graphql/types/user.type';

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

describe('a page of objects completes synchronously once its statement has answered', () => {
  // A promise anywhere in a node makes graphql-js complete that node, its edge and the list
  // asynchronously: about a tenth of a browse page's CPU (BENCHMARKS.md, issue 25 goal 1).
  it("CrmObject's type is resolved without a promise", async () => {
    const crmObject = (await createSchema()).getType('CrmObject');
    expect(isInterfaceType(crmObject)).toBe(true);
    const resolveType = (crmObject as GraphQLInterfaceType).resolveType!;
    const resolved = resolveType({ type: 'DEAL' }, {}, {} as GraphQLResolveInfo, crmObject as GraphQLInterfaceType);
    expect(resolved).toBe('Deal');
  });

  it('createdBy, archivedBy and attachments answer from what the page read, without a promise', () => {
    const resolver = new CrmObjectResolver();
    const user = { id: 'u1', name: 'Ann' } as User;
    const object = {
      type: CrmObjectType.DEAL,
      id: 'd1',
      createdById: 'u1',
      archivedById: null,
      related: { createdBy: user, archivedBy: null, attachments: [] },
    } as unknown as Parameters<CrmObjectResolver['archivedBy']>[0];
    // No loader is reachable: a resolver that still went through one would throw here.
    const context = {} as Context;
    expect(resolver.createdBy(object, context)).toBe(user);
    expect(resolver.archivedBy(object, context)).toBeNull();
    expect(resolver.attachments(object, context)).toEqual([]);
  });
});
