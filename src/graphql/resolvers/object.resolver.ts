import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, ID, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../context';
import { Page, toPage } from '../types/connection';
import { CrmObject, CrmObjectConnection, toCrmObject } from '../types/crm-object.type';
import { Task } from '../types/crm-objects.type';
import { CrmObjectType, TaskStatus } from '../types/enums';
import { CreateObjectInput } from '../types/object.input';
import { objectPage, ObjectsArgs } from '../types/object-page.args';
import { asCurrentUser } from '../context';
import { relatedOf } from '../selection';

@Resolver()
export class ObjectResolver {
  @Authorized()
  @Query(() => CrmObjectConnection, {
    description:
      'Active (not archived) objects of one type, newest created first; everyone in the workspace sees them.',
  })
  async objects(
    @Args() args: ObjectsArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<CrmObject>> {
    const { limit, key } = objectPage(args);
    const related = relatedOf(info);
    const page = await asCurrentUser(context, (user) =>
      context.services.objectLists.active(user, args.type, limit, key, args.filter ?? {}, related),
    );
    return toPage(page, limit, toCrmObject);
  }

  @Authorized()
  @Query(() => CrmObject, {
    nullable: true,
    description:
      'One object, archived or not; null when there is none by that id that you may see (missing, malformed, another workspace’s, or for a member another member’s archived one).',
  })
  async object(
    @Arg('type', () => CrmObjectType, { description: 'Its type.' }) type: CrmObjectType,
    @Arg('id', () => ID, { description: 'Its id.' }) id: string,
    @Ctx() context: Context,
  ): Promise<CrmObject | null> {
    const row = await context.services.objectLists.visible(requireUser(context), type, id);
    return row ? toCrmObject(row) : null;
  }

  @Authorized()
  @Mutation(() => CrmObject, { description: 'Creates a CRM object in your workspace (members and admins).' })
  async createObject(
    @Arg('input', { description: 'Type, title and own fields.' }) input: CreateObjectInput,
    @Ctx() context: Context,
  ): Promise<CrmObject> {
    const { type, title, ...own } = input;
    return toCrmObject(await context.services.objects.create(requireUser(context), { type, title, own }));
  }

  @Authorized()
  @Mutation(() => Task, {
    description:
      'Changes a task’s status (its creator or an admin), also while archived. A marked or pending task may only become REMOVED or VERIFIED.',
  })
  async setTaskStatus(
    @Arg('id', () => ID, { description: 'The task.' }) id: string,
    @Arg('status', () => TaskStatus, { description: 'The new status.' }) status: TaskStatus,
    @Ctx() context: Context,
  ): Promise<CrmObject> {
    return toCrmObject(await context.services.objects.setTaskStatus(requireUser(context), id, status));
  }
}
