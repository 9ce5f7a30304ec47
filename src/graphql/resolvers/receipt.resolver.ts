import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../context';
import { Role } from '../../domain/domain-types';
import { ReceiptRow } from '../../domain/receipts/receipt.service';
import { Deletion } from '../types/deletion.type';
import { CrmObjectType } from '../types/enums';
import { ObjectRefInput } from '../types/object-ref.input';
import { DeletionReceipt, InclusionProof } from '../types/receipt.type';

/** The receipt as the API shows it, with where to download it. */
function toReceipt(row: ReceiptRow): DeletionReceipt {
  return { ...row, downloadUrl: `/deletions/${row.deletionId}/receipt` };
}

/** Deletion.receipt (through the request's loader) and the inclusion proof query. Admins only, like deletions. */
@Resolver(() => Deletion)
export class ReceiptResolver {
  @Authorized(Role.ADMIN)
  @FieldResolver(() => DeletionReceipt, {
    nullable: true,
    description: 'The signed receipt, once the deletion is COMPLETED or FAILED (for what it removed); null before.',
  })
  async receipt(@Root() deletion: Deletion, @Ctx() context: Context): Promise<DeletionReceipt | null> {
    const row = await context.loaders.receipts.load(deletion.id);
    return row ? toReceipt(row) : null;
  }

  @Authorized(Role.ADMIN)
  @Query(() => InclusionProof, {
    nullable: true,
    description:
      'The Merkle path proving that `ref` was erased by deletion `deletionId` (in its receipt’s objectsRoot); ' +
      'null when that deletion did not erase it, has no receipt yet, or is not in your workspace. Admins only.',
  })
  async deletionInclusionProof(
    @Arg('deletionId', () => ID) deletionId: string,
    @Arg('ref', () => ObjectRefInput) ref: ObjectRefInput,
    @Ctx() context: Context,
  ): Promise<InclusionProof | null> {
    const proof = await context.services.receipts.inclusionProof(requireUser(context), deletionId, ref);
    return proof ? { ...proof, ref: { type: proof.ref.type as CrmObjectType, id: proof.ref.id } } : null;
  }
}
