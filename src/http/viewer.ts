import { AppError } from '../errors';
import { Viewer } from '../domain/domain-types';
import { Services } from '../domain/services';

/**
 * Who an `Authorization` value names. A refused token is a signed-out viewer that carries why,
 * so fields that need a user fail with it while the rest (introspection) still works.
 */
export async function viewerOf(services: Services, authorization: string | undefined): Promise<Viewer> {
  try {
    return await services.auth.authenticate(authorization);
  } catch (error) {
    if (error instanceof AppError) return { user: null, tokenExpiresAt: null, authError: error };
    throw error;
  }
}
