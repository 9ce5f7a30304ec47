import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../server/context';
import { requireUser } from '../server/context';
import { CrmObject, toCrmObject } from './crm-object.type';
import { Task } from './crm-objects.type';
import { TaskStatus } from './enums';
import { CreateObjectInput } from './object.input';

@Resolver()
export class ObjectResolver {
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
