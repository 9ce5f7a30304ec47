import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../context';
import { User } from '../types/user.type';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: 'The signed-in user.' })
  me(@Ctx() context: Context): User {
    return requireUser(context);
  }
}
