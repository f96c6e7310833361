/**
 * The jest config of every project: `nx run <project>:test` runs `jest --roots=<project root>`, a
 * bare `npx jest` every project's specs in one process. Tests import libs by package name; the
 * mapper points those names at the TypeScript sources so that tests need no build step.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/tools', '<rootDir>/scripts'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    // transpile-only: type checking is `npm run build`'s job, tests stay fast
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleNameMapper: {
    // Node-only entry points (`@retina/engine/node`, …), beside the browser-safe main ones
    '^@retina/([a-z-]+)/node$': '<rootDir>/libs/$1/src/node.ts',
    // helpers for specs (`@retina/engine/testing`)
    '^@retina/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing.ts',
    '^@retina/(errors|json-stream|anchors|image|engine|optim|focal-loss|fpn|coco|coco-eval|retinanet|plots|queue)$': '<rootDir>/libs/$1/src/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 120000,
  maxWorkers: 2,
};
