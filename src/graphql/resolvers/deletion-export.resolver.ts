import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { deletionExportUrl } from '../file-urls';
import { DeletionStatus } from '../../domain/deletion/deletion-status';
import { mayAttempt, Operation } from '../../domain/policy';
import { Deletion } from '../types/deletion.type';

/** Where a deletion can be downloaded as a ZIP before it executes. */
@Resolver(() => Deletion)
export class DeletionExportResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Where an admin downloads this deletion as a ZIP (GET, with the same Authorization header; relative ' +
      'to the server): `/deletions/<id>/export` while it is PENDING and the caller is an admin, null otherwise.',
  })
  exportUrl(@Root() deletion: Deletion, @Ctx() context: Context): string | null {
    const allowed = mayAttempt(context.viewer.user, Operation.EXPORT);
    return allowed && deletion.status === DeletionStatus.PENDING ? deletionExportUrl(deletion.id) : null;
  }
}
