/**
 * The layers of src/, checked by `npm test` (npm run layers). Lower layers never import higher ones:
 *
 *   contract, model          what Market's API is; the world's records and their pure helpers
 *   clock                    the sandbox's one clock, and what is scheduled on it
 *   auth, scenario, journal  pure rules of who may call, what a scenario says, what was called
 *   limits                   Market's request limits
 *   store, fake              where the world is kept; how a world is invented (neither knows the other)
 *   domain                   the chat lifecycle and the services over it
 *   notifications, customer, conversations  what listens to the lifecycle's events
 *   traffic                  buyers in volume, and how the partner keeps up
 *   feed                     the ordered feed of everything that happens (the event stream's source)
 *   report                   what the partner's integration does wrong, read from the journal and the push log
 *   recording                what an upstream answered (proxy mode), and a world, kept as scenarios
 *   runtime.ts               one sandbox's parts, wired
 *   http, routes, control    the Fastify side
 *   app.ts, index.ts, cli.ts composition, the programmatic API, the command line
 */
const layer = (name, mayImport, comment) => ({
  name: `layer-${name}`,
  comment: `src/${name} ${comment}; it may import only: ${mayImport.join(', ') || 'nothing of the project'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...mayImport.map((allowed) => `^src/${allowed}`), '^src/package-root\\.ts$'] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other in a circle cannot be understood, tested or moved one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer('contract', [], 'describes the API Market serves; it is the bottom of the project'),
    layer('model', ['contract/'], 'holds the records of the world and their pure helpers, below every user of them'),
    layer('clock', ['contract/', 'model/'], "is the sandbox's one clock; everything that waits on its own account waits on it"),
    layer('auth', ['contract/', 'model/'], 'is pure rules of credentials and access'),
    layer('scenario', ['contract/', 'model/', 'auth/'], 'is the scenario format and its pure rules'),
    layer('journal', ['contract/', 'model/'], 'records calls; it knows nothing of HTTP or the world'),
    layer('limits', ['contract/', 'model/', 'scenario/', 'clock/'], "is Market's request limits, free of HTTP"),
    layer('store', ['contract/', 'model/'], 'keeps the world; the world generator is handed to it, never imported'),
    layer('fake', ['contract/', 'model/', 'scenario/'], 'invents worlds and texts; it does not know the domain that uses it'),
    layer('domain', ['contract/', 'model/', 'store/', 'fake/'], 'is the chat lifecycle, free of HTTP'),
    layer('notifications', ['contract/', 'model/', 'clock/', 'scenario/', 'domain/'], 'listens to chat events and pushes them'),
    layer(
      'customer',
      ['contract/', 'model/', 'clock/', 'scenario/', 'domain/', 'fake/'],
      'is the simulated buyers, who act through the domain',
    ),
    layer(
      'conversations',
      ['contract/', 'model/', 'clock/', 'scenario/', 'domain/', 'fake/'],
      "is the scenario's scripted buyers, who act through the domain and hear the partner from its events",
    ),
    layer(
      'traffic',
      ['contract/', 'model/', 'clock/', 'scenario/', 'limits/', 'domain/', 'fake/', 'notifications/', 'conversations/'],
      'is buyers in volume, who act through the domain, and the measure of how the partner keeps up',
    ),
    layer(
      'feed',
      ['contract/', 'model/', 'domain/', 'journal/', 'notifications/', 'traffic/'],
      'is the ordered feed of everything that happens, for the event stream; it only listens',
    ),
    layer(
      'report',
      ['contract/', 'model/', 'journal/', 'notifications/', 'scenario/', 'traffic/'],
      "is the integration report's checks over the journal and the notification log; it only reads",
    ),
    layer(
      'recording',
      ['contract/', 'model/', 'scenario/', 'fake/'],
      'keeps what an upstream answered, and a world, as scenarios; it knows no HTTP and no store',
    ),
    layer(
      'http',
      ['contract/', 'model/', 'auth/', 'scenario/', 'journal/', 'limits/', 'store/', 'domain/', 'recording/'],
      'is Fastify plumbing used by routes and control; it imports neither',
    ),
    layer('routes', ['contract/', 'model/', 'store/', 'domain/', 'http/'], "is the partner API's routes"),
    layer(
      'control',
      [
        'contract/',
        'model/',
        'clock/',
        'auth/',
        'journal/',
        'limits/',
        'notifications/',
        'conversations/',
        'traffic/',
        'feed/',
        'report/',
        'scenario/',
        'domain/',
        'http/',
        'runtime\\.ts$',
      ],
      'is the /__sandbox routes',
    ),
    {
      name: 'control-gets-parts',
      comment: 'A control route module receives the part it serves; only control/routes.ts knows the runtime that holds them.',
      severity: 'error',
      from: { path: '^src/control/', pathNot: '^src/control/routes\\.ts$' },
      to: { path: '^src/runtime\\.ts$' },
    },
    {
      name: 'runtime-below-http',
      comment: 'runtime.ts wires the sandbox; the Fastify side (http, routes, control, app) is built on it, never under it.',
      severity: 'error',
      from: { path: '^src/runtime\\.ts$' },
      to: { path: '^src/(http|routes|control)/|^src/(app|index|cli)\\.ts$' },
    },
    {
      name: 'console-takes-only-types',
      comment:
        'console/ is a browser program: from src/ it takes types, and the enumerations of contract/ (plain lists); never server code.',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: '^src/', pathNot: '^src/contract/(enums|operations)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'console-apart',
      comment: 'Nothing on the server imports the console: it reaches the sandbox only through the control API.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^console/' },
    },
    {
      name: 'tests-only-from-tests',
      comment: 'Nothing the package ships may import test code or the benchmark.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
