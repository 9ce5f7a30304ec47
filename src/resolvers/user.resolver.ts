import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../server/context';
import { requireUser } from '../server/context';
import { User } from './user.type';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: 'The signed-in user.' })
  me(@Ctx() context: Context): User {
    return requireUser(context);
  }
}
