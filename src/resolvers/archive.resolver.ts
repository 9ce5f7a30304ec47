import { Arg, Args, ArgsType, Authorized, Ctx, Field, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../server/context';
import { requireUser } from '../server/context';
import { Connection, decodeTimeIdCursor, Page, pageSize, toPage } from './connection';
import { CrmObject, toCrmObject } from './crm-object.type';
import { CrmObjectType } from './enums';
import { ArchivedFilter } from './object.input';
import { ObjectRefInput } from './object-ref.input';

export const CrmObjectConnection = Connection('CrmObject', CrmObject);

@ArgsType()
class ArchivedObjectsArgs {
  @Field(() => CrmObjectType, { description: 'Which type of object to list.' })
  type: CrmObjectType;

  @Field(() => Int, { nullable: true, defaultValue: 50, description: 'Page size, 1 to 200.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string;

  @Field(() => ArchivedFilter, { nullable: true, description: 'Optional narrowing.' })
  filter?: ArchivedFilter;
}

@Resolver()
export class ArchiveResolver {
  @Authorized()
  @Query(() => CrmObjectConnection, {
    description: 'Archived objects of one type, newest archived first. Members see only those they created.',
  })
  async archivedObjects(
    @Args() { type, first, after, filter }: ArchivedObjectsArgs,
    @Ctx() context: Context,
  ): Promise<Page<CrmObject>> {
    const limit = pageSize(first ?? 50);
    const key = after ? decodeTimeIdCursor(after) : null;
    const page = await context.services.archivedList.page(requireUser(context), type, limit, key, filter ?? {});
    return toPage(page, limit, toCrmObject);
  }

  @Authorized()
  @Mutation(() => [CrmObject], {
    description:
      'Archives objects (their creator or an admin); archived ones stay as they are. All or nothing; at most 1000 refs.',
  })
  async archiveObjects(
    @Arg('refs', () => [ObjectRefInput], { description: 'The objects, at most 1000.' }) refs: ObjectRefInput[],
    @Ctx() context: Context,
  ): Promise<CrmObject[]> {
    return (await context.services.archiving.archive(requireUser(context), refs)).map(toCrmObject);
  }

  @Authorized()
  @Mutation(() => [CrmObject], {
    description:
      'Restores archived objects (their creator or an admin), also while marked or pending: they leave the selection or deletion. All or nothing.',
  })
  async restoreObjects(
    @Arg('refs', () => [ObjectRefInput], { description: 'The objects, at most 1000.' }) refs: ObjectRefInput[],
    @Ctx() context: Context,
  ): Promise<CrmObject[]> {
    return (await context.services.archiving.restore(requireUser(context), refs)).map(toCrmObject);
  }
}
