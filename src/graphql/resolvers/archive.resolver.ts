import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../context';
import { Page, toPage } from '../types/connection';
import { CrmObject, CrmObjectConnection, toCrmObject } from '../types/crm-object.type';
import { ArchivedObjectsArgs, objectPage } from '../types/object-page.args';
import { ObjectRefInput } from '../types/object-ref.input';
import { asCurrentUser } from '../context';
import { relatedOf } from '../selection';

@Resolver()
export class ArchiveResolver {
  @Authorized()
  @Query(() => CrmObjectConnection, {
    description:
      'Archived objects of one type, newest archived first; filter.deletionState lists the selection or the pending deletion. Members see only those they created.',
  })
  async archivedObjects(
    @Args() args: ArchivedObjectsArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<CrmObject>> {
    const { limit, key } = objectPage(args);
    const related = relatedOf(info);
    const page = await asCurrentUser(context, (user) =>
      context.services.objectLists.archived(user, args.type, limit, key, args.filter ?? {}, related),
    );
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
