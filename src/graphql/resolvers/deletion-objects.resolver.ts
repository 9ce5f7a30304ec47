import type { GraphQLResolveInfo } from 'graphql';
import { Args, Authorized, Ctx, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { asCurrentUser } from '../context';
import { relatedOf } from '../selection';
import { Operation } from '../../domain/policy';
import { Page, toPage } from '../types/connection';
import { CrmObject, CrmObjectConnection, toCrmObject } from '../types/crm-object.type';
import { Deletion } from '../types/deletion.type';
import { objectPage, ObjectPageArgs } from '../types/object-page.args';

/** What this resolver reads of its parent (a plain value; see crm-object.resolver.ts). */
type DeletionValue = Pick<Deletion, 'id' | 'status'>;

/** The objects a deletion still holds, for admins reviewing it before it executes. */
@Resolver(() => Deletion)
export class DeletionObjectsResolver {
  @Authorized(Operation.VIEW_DELETION_OBJECTS)
  @FieldResolver(() => CrmObjectConnection, {
    description:
      'The objects of one type this deletion still holds while PENDING or EXECUTING, newest archived first; empty once it has ended (history keeps no personal data). Admins only.',
  })
  async objects(
    @Root() deletion: DeletionValue,
    @Args() args: ObjectPageArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<CrmObject>> {
    const { limit, key } = objectPage(args);
    const related = relatedOf(info);
    const page = await asCurrentUser(context, (user) =>
      context.services.objectLists.inDeletion(user, deletion, args.type, limit, key, related),
    );
    return toPage(page, limit, toCrmObject);
  }
}
