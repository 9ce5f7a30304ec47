/** A demo user with a fresh token, as the console's sign-in list shows it. */
interface DemoUserToken {
  workspace: string;
  name: string;
  email: string;
  role: string;
  token: string;
}

/**
 * What the development start hands the console and the playground (app.ts, from src/demo/); absent
 * in production, so production code never reaches demo data or mints a token for a visitor.
 */
export interface DemoAccess {
  /** The demo users that exist in this database, each with a fresh token (GET /console/demo-users). */
  users?: () => Promise<DemoUserToken[]>;
  /** The demo admin and a fresh token, put in the playground's Headers tab; undefined when not seeded. */
  adminToken?: () => Promise<{ email: string; token: string } | undefined>;
}
