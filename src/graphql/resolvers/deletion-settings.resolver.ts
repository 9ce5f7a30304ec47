import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../context';
import { Operation } from '../../domain/policy';
import { pageSize } from '../types/connection';
import {
  DeletionSettings,
  DeletionSettingsChange,
  DeletionSettingsInput,
  toDeletionSettings,
  toDeletionSettingsChange,
} from '../types/deletion-settings.type';
import { User } from '../types/user.type';

/** The retention policy and reminder of the caller's workspace: any admin reads, admins change. */
@Resolver(() => DeletionSettings)
export class DeletionSettingsResolver {
  @Authorized(Operation.READ_SETTINGS)
  @Query(() => DeletionSettings, { description: "Your workspace's retention policy and reminder. Admins only." })
  async deletionSettings(@Ctx() context: Context): Promise<DeletionSettings> {
    return toDeletionSettings(await context.services.deletionSettings.get(requireUser(context)));
  }

  @Authorized(Operation.UPDATE_SETTINGS)
  @Mutation(() => DeletionSettings, {
    description:
      'Changes the retention policy or the reminder: a field left out stays, null turns it off. Out of range: BAD_USER_INPUT and nothing changes. Recorded (changes) and announced to every admin (DELETION_SETTINGS_CHANGED).',
  })
  async updateDeletionSettings(
    @Arg('input', () => DeletionSettingsInput) input: DeletionSettingsInput,
    @Ctx() context: Context,
  ): Promise<DeletionSettings> {
    const { autoMarkAfterDays, reminderHoursBefore } = input;
    const row = await context.services.deletionSettings.update(requireUser(context), {
      autoMarkAfterDays,
      reminderHoursBefore,
    });
    return toDeletionSettings(row);
  }

  @FieldResolver(() => User, { nullable: true })
  async updatedBy(@Root() settings: DeletionSettings, @Ctx() context: Context): Promise<User | null> {
    return settings.updatedById ? context.loaders.users.load(settings.updatedById) : null;
  }

  @FieldResolver(() => [DeletionSettingsChange], { description: 'The latest changes, newest first.' })
  async changes(
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many, 1 to 200.' }) first: number,
    @Ctx() context: Context,
  ): Promise<DeletionSettingsChange[]> {
    const rows = await context.services.deletionSettings.changes(requireUser(context), pageSize(first));
    return rows.map(toDeletionSettingsChange);
  }
}

/** `DeletionSettingsChange.changedBy` through the users loader. */
@Resolver(() => DeletionSettingsChange)
export class DeletionSettingsChangeResolver {
  @FieldResolver(() => User)
  async changedBy(@Root() change: DeletionSettingsChange, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.users.load(change.changedById))!;
  }
}
