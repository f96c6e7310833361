/**
 * One jest run over every project. Tests import libs by package name; the mapper points those
 * names at the TypeScript sources so that `npm test` needs no build step.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    // transpile-only: type checking is `npm run build`'s job, tests stay fast
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleNameMapper: {
    '^@retina/(anchors|engine|focal-loss|fpn|coco|coco-eval|retinanet|plots)$': '<rootDir>/libs/$1/src/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 120000,
  maxWorkers: 2,
};
