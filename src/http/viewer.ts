import { AppError } from '../errors';
import { Viewer } from '../domain/domain-types';
import { Services } from '../domain/services';

/**
 * Who an `Authorization` value names. A refused token is a signed-out viewer that carries why,
 * so fields that need a user fail with it while the rest (introspection) still works. `fresh`:
 * read the user past the user cache (AuthService.authenticate).
 */
export async function viewerOf(
  services: Services,
  authorization: string | undefined,
  { fresh = false } = {},
): Promise<Viewer> {
  try {
    return await services.auth.authenticate(authorization, { fresh });
  } catch (error) {
    if (error instanceof AppError) return { user: null, tokenExpiresAt: null, authError: error };
    throw error;
  }
}
