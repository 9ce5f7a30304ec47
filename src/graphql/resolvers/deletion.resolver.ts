import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { asCurrentUser, requireUser } from '../context';
import { Operation } from '../../domain/policy';
import { SelectionChange } from '../../domain/deletion/selection.service';
import { Connection, decodeTimeIdCursor, Page, pageSize, toPage } from '../types/connection';
import { asDeletion, Deletion, DeletionOverview } from '../types/deletion.type';
import { DeletionStatus } from '../types/enums';
import { MarkFilterInput } from '../types/mark-filter.input';
import { ObjectRefInput } from '../types/object-ref.input';

const DeletionConnection = Connection('Deletion', Deletion);

@ArgsType()
class SelectionArgs {
  @Field(() => [ObjectRefInput], { nullable: true, description: 'The objects, at most 1000. Give refs or filter.' })
  refs?: ObjectRefInput[];

  @Field(() => MarkFilterInput, {
    nullable: true,
    description: 'All archived objects matching it. Give refs or filter.',
  })
  filter?: MarkFilterInput;
}

@ArgsType()
class DeletionsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: 'Page size, 1 to 200.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string;

  @Field(() => [DeletionStatus], { nullable: true, description: 'Only deletions in these statuses; all when omitted.' })
  status?: DeletionStatus[];
}

/** The permanent-deletion API for admins (docs/rules.md, rules 3–7): selection, activation, cancel, history. */
@Resolver()
export class DeletionResolver {
  @Authorized(Operation.VIEW_OVERVIEW)
  @Query(() => DeletionOverview, {
    description: 'Per-type figures, the pending deletion and whether marking is possible.',
  })
  deletionOverview(@Ctx() context: Context): Promise<DeletionOverview> {
    return overview(context, null);
  }

  @Authorized(Operation.MARK)
  @Mutation(() => DeletionOverview, {
    description:
      'Adds archived objects to the selection for permanent deletion (tasks only when REMOVED or VERIFIED). Idempotent, all or nothing; refused while a deletion is pending or executing.',
  })
  async markForDeletion(@Args() { refs, filter }: SelectionArgs, @Ctx() context: Context): Promise<DeletionOverview> {
    return overview(context, await context.services.selection.mark(requireUser(context), { refs, filter }));
  }

  @Authorized(Operation.UNMARK)
  @Mutation(() => DeletionOverview, {
    description:
      'Takes objects out of the selection. Idempotent, all or nothing; refused while a deletion is pending or executing.',
  })
  async unmarkForDeletion(@Args() { refs, filter }: SelectionArgs, @Ctx() context: Context): Promise<DeletionOverview> {
    return overview(context, await context.services.selection.unmark(requireUser(context), { refs, filter }));
  }

  @Authorized(Operation.ACTIVATE)
  @Mutation(() => Deletion, {
    description:
      'Turns the selection into a PENDING deletion that executes after the grace period; notifies every admin. Refused when the selection is empty or another deletion is pending.',
  })
  async activateDeletion(@Ctx() context: Context): Promise<Deletion> {
    return asDeletion(await context.services.deletions.activate(requireUser(context)));
  }

  @Authorized(Operation.CANCEL)
  @Mutation(() => Deletion, {
    description: 'Cancels a PENDING deletion: its objects return to the selection, still marked. Notifies every admin.',
  })
  async cancelDeletion(
    @Arg('id', () => ID, { description: 'The deletion to cancel.' }) id: string,
    @Ctx() context: Context,
  ): Promise<Deletion> {
    return asDeletion(await context.services.deletions.cancel(requireUser(context), id));
  }

  @Authorized(Operation.VIEW_HISTORY)
  @Query(() => DeletionConnection, { description: 'Every deletion of the workspace, newest activated first.' })
  async deletions(@Args() { first, after, status }: DeletionsArgs, @Ctx() context: Context): Promise<Page<Deletion>> {
    const limit = pageSize(first ?? 20);
    const key = after ? decodeTimeIdCursor(after) : null;
    const page = await asCurrentUser(context, (user) =>
      context.services.deletionHistory.page(user, limit, key, status ?? null),
    );
    return toPage(page, limit, (row) => asDeletion(row));
  }

  @Authorized(Operation.VIEW_DELETION)
  @Query(() => Deletion, {
    nullable: true,
    description: 'One deletion of your workspace; null when there is none by that id.',
  })
  async deletion(
    @Arg('id', () => ID, { description: 'The deletion.' }) id: string,
    @Ctx() context: Context,
  ): Promise<Deletion | null> {
    const row = await context.loaders.deletions.load({ workspaceId: requireUser(context).workspaceId, id });
    return asDeletion(row);
  }
}

/** The overview after an optional selection change: O(1) counters and the active deletion. */
async function overview(context: Context, change: SelectionChange | null): Promise<DeletionOverview> {
  const { workspaceId } = requireUser(context);
  const [types, pending] = await Promise.all([
    context.services.stats.overview(workspaceId),
    context.services.deletions.active(workspaceId),
  ]);
  return {
    types,
    pending: asDeletion(pending),
    canMark: !pending,
    changed: change?.changed ?? null,
    skippedTasks: change?.skippedTasks ?? null,
    skippedHeld: change?.skippedHeld ?? null,
  };
}
