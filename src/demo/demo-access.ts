import type { Config } from '../config';
import type { Services } from '../domain/services';
import { DEMO_ADMIN_EMAIL, DEMO_USERS } from './demo-seed';

/**
 * The console's demo-user list (development only: tokens for anyone who asks, where nobody owns the
 * demo users) and the playground's demo admin token (outside production, as `npm start` prints it).
 * Production gets neither.
 */
export function demoAccess(config: Pick<Config, 'nodeEnv'>, services: Pick<Services, 'users' | 'auth'>) {
  if (config.nodeEnv === 'production') return {};
  return {
    users: config.nodeEnv === 'development' ? () => demoUserTokens(services) : undefined,
    adminToken: async () => {
      const admin = await services.users.byEmail(DEMO_ADMIN_EMAIL);
      return admin && { email: DEMO_ADMIN_EMAIL, token: services.auth.sign(admin.id) };
    },
  };
}

/** The demo users that exist in this database, each with a fresh token. */
async function demoUserTokens(services: Pick<Services, 'users' | 'auth'>) {
  const listed = [];
  for (const [workspace, users] of Object.entries(DEMO_USERS)) {
    for (const { name, email, role } of users) {
      const user = await services.users.byEmail(email);
      if (user) listed.push({ workspace, name, email, role, token: services.auth.sign(user.id) });
    }
  }
  return listed;
}
