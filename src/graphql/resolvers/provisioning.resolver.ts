import { Arg, Args, ArgsType, Authorized, Ctx, Field, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Operation } from '../../domain/policy';
import { AppError, ErrorCode } from '../../errors';
import type { Context } from '../context';
import { requireUser } from '../context';
import { decodeTimeIdCursor, Page, pageSize, toPage } from '../types/connection';
import {
  ProvisioningChange,
  ProvisioningChangeConnection,
  UserProvisionInput,
  Workspace,
  WorkspaceProvisionInput,
} from '../types/provisioning.type';
import { User } from '../types/user.type';

@ArgsType()
class ProvisioningChangesArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 200.' })
  first: number;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

/**
 * The CRM backend's calls (docs/identity.md): upserts of workspaces and users, allowed only to a
 * token with the provision scope, and the record of them for each workspace's admins.
 */
@Resolver()
export class ProvisioningResolver {
  @Mutation(() => [Workspace], {
    description: 'Creates or renames workspaces by externalId; at most 1000, all or nothing. Provisioning token only.',
  })
  provisionWorkspaces(
    @Arg('input', () => [WorkspaceProvisionInput]) input: WorkspaceProvisionInput[],
    @Ctx() context: Context,
  ): Promise<Workspace[]> {
    return context.services.provisioning.provisionWorkspaces(requireProvisioner(context), input);
  }

  @Mutation(() => [User], {
    description:
      'Creates or updates users by (workspace, externalId): role, e-mail, name, active. At most 1000, all or ' +
      'nothing. A role change or deactivation applies to the next request and to open sockets within seconds. ' +
      'Provisioning token only.',
  })
  provisionUsers(
    @Arg('input', () => [UserProvisionInput]) input: UserProvisionInput[],
    @Ctx() context: Context,
  ): Promise<User[]> {
    return context.services.provisioning.provisionUsers(requireProvisioner(context), input);
  }

  @Authorized(Operation.VIEW_PROVISIONING_CHANGES)
  @Query(() => ProvisioningChangeConnection, {
    description: 'What the CRM’s backend changed in this workspace and its users, newest first (admin).',
  })
  async provisioningChanges(
    @Args() { first, after }: ProvisioningChangesArgs,
    @Ctx() context: Context,
  ): Promise<Page<ProvisioningChange>> {
    const limit = pageSize(first);
    const key = after ? decodeTimeIdCursor(after) : null;
    const page = await context.services.provisioning.changes(requireUser(context).workspaceId, limit, key);
    return toPage(page, limit, (row) => ({ ...row, changes: JSON.stringify(row.changes) }));
  }
}

/** The provisioning client's id; a user's token is FORBIDDEN, no or a bad token UNAUTHENTICATED. */
function requireProvisioner(context: Context): string {
  const { viewer } = context;
  if (viewer.provisioner) return viewer.provisioner.clientId;
  if (viewer.user || viewer.authError?.details.tokenVerified) {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      'Only the CRM backend may provision: use a client-credentials token with the provision scope.',
    );
  }
  throw viewer.authError ?? new AppError(ErrorCode.UNAUTHENTICATED, 'Send the provisioning token as a Bearer token.');
}
