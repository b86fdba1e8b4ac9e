/** Architecture rules checked in CI (npm run depcheck). */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Circular imports make start-up order and reasoning fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'module-public-face-only',
      severity: 'error',
      comment: 'A module is reached only through its index.ts; its files are its own business.',
      from: { path: '^src/(?!modules/)' },
      to: { path: '^src/modules/([^/]+)/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'module-to-module-via-index',
      severity: 'error',
      comment: 'Modules talk to each other through index.ts only.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/(?!$1/)[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'codes-public-face-only',
      severity: 'error',
      from: { path: '^src/(?!codes/)' },
      to: { path: '^src/codes/', pathNot: '^src/codes/(index\\.ts|data/.*)$' },
    },
    {
      name: 'kernel-depends-on-nothing-above',
      severity: 'error',
      comment: 'The kernel is the bottom layer.',
      from: { path: '^src/kernel/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(modules|server|cli|codes|ceb)/' },
    },
    {
      name: 'modules-not-on-server-or-cli',
      severity: 'error',
      comment: 'Modules do not know the composition root.',
      from: { path: '^src/modules/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(server|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|web)/' },
  },
};
