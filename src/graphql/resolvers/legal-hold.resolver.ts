import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../context';
import { asCurrentUser, requireUser } from '../context';
import { Operation } from '../../domain/policy';
import { decodeTimeIdCursor, Page, pageSize, toPage } from '../types/connection';
import { LegalHold, LegalHoldConnection, toLegalHold } from '../types/legal-hold.type';
import { MarkFilterInput } from '../types/mark-filter.input';
import { ObjectRefInput } from '../types/object-ref.input';
import { User } from '../types/user.type';

@ArgsType()
class PlaceLegalHoldArgs {
  @Field({ description: 'Why the objects are held: 1 to 1000 characters.' })
  reason: string;

  @Field(() => [ObjectRefInput], {
    nullable: true,
    description: 'The objects (active or archived), at most 1000. Give refs or filter.',
  })
  refs?: ObjectRefInput[];

  @Field(() => MarkFilterInput, {
    nullable: true,
    description: 'All archived objects matching it. Give refs or filter.',
  })
  filter?: MarkFilterInput;
}

@ArgsType()
class LegalHoldsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: 'Page size, 1 to 200.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Only active (true) or only released (false) holds; all when omitted.',
  })
  active?: boolean | null;
}

/** What the field resolvers read of their parent (a plain value, see crm-object.resolver.ts). */
type HoldValue = Pick<LegalHold, 'placedById' | 'releasedById'>;

/** Legal holds (docs/legal-holds.md): admins only; another workspace's holds do not exist for the caller. */
@Resolver(() => LegalHold)
export class LegalHoldResolver {
  @Authorized(Operation.PLACE_LEGAL_HOLD)
  @Mutation(() => LegalHold, {
    description:
      'Places a legal hold on objects: they leave the selection or the pending deletion and cannot be marked or destroyed until released. Notifies every admin.',
  })
  async placeLegalHold(
    @Args() { reason, refs, filter }: PlaceLegalHoldArgs,
    @Ctx() context: Context,
  ): Promise<LegalHold> {
    return toLegalHold(await context.services.holds.place(requireUser(context), reason, { refs, filter }));
  }

  @Authorized(Operation.RELEASE_LEGAL_HOLD)
  @Mutation(() => LegalHold, {
    description:
      'Releases an active legal hold; objects no other hold covers can be marked again. Notifies every admin.',
  })
  async releaseLegalHold(
    @Arg('id', () => ID, { description: 'The hold to release.' }) id: string,
    @Ctx() context: Context,
  ): Promise<LegalHold> {
    return toLegalHold(await context.services.holds.release(requireUser(context), id));
  }

  @Authorized(Operation.VIEW_LEGAL_HOLDS)
  @Query(() => LegalHoldConnection, { description: 'The legal holds of your workspace, newest placed first.' })
  async legalHolds(
    @Args() { first, after, active }: LegalHoldsArgs,
    @Ctx() context: Context,
  ): Promise<Page<LegalHold>> {
    const limit = pageSize(first ?? 20);
    const key = after ? decodeTimeIdCursor(after) : null;
    const page = await asCurrentUser(context, (user) => context.services.holds.page(user, limit, key, active ?? null));
    return toPage(page, limit, toLegalHold);
  }

  @FieldResolver(() => User)
  async placedBy(@Root() hold: HoldValue, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.users.load(hold.placedById))!;
  }

  @FieldResolver(() => User, { nullable: true })
  async releasedBy(@Root() hold: HoldValue, @Ctx() context: Context): Promise<User | null> {
    return hold.releasedById ? context.loaders.users.load(hold.releasedById) : null;
  }
}
