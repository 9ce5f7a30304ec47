import { Args, Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../context';
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
  ): Promise<Page<CrmObject>> {
    const { limit, key } = objectPage(args);
    const page = await context.services.objectLists.inDeletion(requireUser(context), deletion, args.type, limit, key);
    return toPage(page, limit, toCrmObject);
  }
}
