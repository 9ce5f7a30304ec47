import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { DeletionVolumeRow } from '../../domain/deletion/deletion-row';
import { Deletion, DeletionTypeVolume } from '../types/deletion.type';
import { User } from '../types/user.type';
import { Volume } from '../types/volume.type';

/** The per-type figures of a deletion: read with the row (events) or through the request's loader (lists). */
function volumesOf(deletion: Deletion, context: Context): Promise<DeletionVolumeRow[]> {
  return deletion.volumes ? Promise.resolve(deletion.volumes) : context.loaders.deletionVolumes.load(deletion.id);
}

function sum(rows: DeletionVolumeRow[], count: 'count' | 'doneCount', bytes: 'bytes' | 'doneBytes'): Volume {
  return rows.reduce((total, row) => ({ count: total.count + row[count], bytes: total.bytes + row[bytes] }), {
    count: 0,
    bytes: 0,
  });
}

/** Fields of Deletion resolved through loaders: a list of deletions costs a fixed number of statements. */
@Resolver(() => Deletion)
export class DeletionFieldsResolver {
  @FieldResolver(() => User)
  async activatedBy(@Root() deletion: Deletion, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.users.load(deletion.activatedById))!;
  }

  @FieldResolver(() => User, { nullable: true })
  async cancelledBy(@Root() deletion: Deletion, @Ctx() context: Context): Promise<User | null> {
    return deletion.cancelledById ? context.loaders.users.load(deletion.cancelledById) : null;
  }

  @FieldResolver(() => Int, { nullable: true })
  durationSeconds(@Root() deletion: Deletion): number | null {
    if (!deletion.startedAt || !deletion.completedAt) return null;
    return Math.round((deletion.completedAt.getTime() - deletion.startedAt.getTime()) / 1000);
  }

  @FieldResolver(() => Volume)
  async total(@Root() deletion: Deletion, @Ctx() context: Context): Promise<Volume> {
    return sum(await volumesOf(deletion, context), 'count', 'bytes');
  }

  @FieldResolver(() => Volume)
  async done(@Root() deletion: Deletion, @Ctx() context: Context): Promise<Volume> {
    return sum(await volumesOf(deletion, context), 'doneCount', 'doneBytes');
  }

  @FieldResolver(() => [DeletionTypeVolume])
  async byType(@Root() deletion: Deletion, @Ctx() context: Context): Promise<DeletionTypeVolume[]> {
    return (await volumesOf(deletion, context)).map((row) => ({
      type: row.type,
      volume: { count: row.count, bytes: row.bytes },
      done: { count: row.doneCount, bytes: row.doneBytes },
    }));
  }
}
