/**
 * Import rules of src/, checked in CI (`npm run deps:check`); the directions are written down in
 * docs/architecture.md, "Layer rules". Type-only imports count: a layer that names a type of the
 * layer above it depends on it as much as one that calls it.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: two modules that need each other belong in one, or one of them below the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'transports-on-top',
      severity: 'error',
      comment:
        'src/http, src/ws and src/ui are the top layer: only the wiring (app.ts) and they themselves import them.',
      from: { path: '^src/(graphql|domain|database|scheduler|demo|cli)/' },
      to: { path: '^src/(http|ws|ui)/' },
    },
    {
      name: 'graphql-above-domain',
      severity: 'error',
      comment:
        'src/graphql adapts the domain to GraphQL; the domain, the database and the scheduler know nothing of it.',
      from: { path: '^src/(domain|database|scheduler|demo)/' },
      to: { path: '^src/graphql/' },
    },
    {
      name: 'database-at-the-bottom',
      severity: 'error',
      comment: 'src/database imports nothing above it (nor the config: it is handed what it needs).',
      from: { path: '^src/database/' },
      to: { path: '^src/(domain|scheduler|graphql|http|ws|ui|demo|cli)/|^src/(app|main|config)\\.ts$' },
    },
    {
      name: 'core-speaks-no-transport',
      severity: 'error',
      comment:
        'The domain core (domain, scheduler, database, and the shared files at the top of src/: errors, log, config …) imports no GraphQL, WebSocket or HTTP package, so nothing it imports does either: resolvers and routes are thin adapters over it.',
      from: { path: '^src/', pathNot: '^src/(http|ws|ui|graphql|cli|demo)/|^src/(app|main)\\.ts$' },
      to: {
        path: '^node_modules/(graphql|graphql-ws|graphql-scalars|type-graphql|express|ws|@apollo/[^/]+|@as-integrations/[^/]+)/',
      },
    },
    {
      name: 'domain-below-scheduler',
      severity: 'error',
      comment: 'The scheduler drives the domain; the domain never reaches up into it.',
      from: { path: '^src/domain/' },
      to: { path: '^src/scheduler/' },
    },
    {
      name: 'no-services-bag-below-transports',
      severity: 'error',
      comment:
        "Services (src/domain/services.ts) is the wiring's bag for transports and resolvers; a domain module or the scheduler is handed the few parts it uses.",
      from: { path: '^src/(domain|scheduler|database)/', pathNot: '^src/domain/services\\.ts$' },
      to: { path: '^src/domain/services\\.ts$' },
    },
    {
      name: 'demo-for-development-only',
      severity: 'error',
      comment:
        'Demo data is for the development start (app.ts, main.ts) and the CLI only; production code never imports it.',
      from: { path: '^src/', pathNot: '^src/(app\\.ts|main\\.ts|cli/|demo/)' },
      to: { path: '^src/demo/' },
    },
    {
      name: 'wiring-imported-by-nobody',
      severity: 'error',
      comment:
        'app.ts and main.ts build everything; nothing under src/ reaches back into them (main.ts imports app.ts).',
      from: { path: '^src/', pathNot: '^src/main\\.ts$' },
      to: { path: '^src/(app|main)\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
  },
};
