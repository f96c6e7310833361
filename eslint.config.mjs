// Lint rules, and the dependency direction of DESIGN.md enforced through Nx project tags:
//   type:app    → anything but other apps
//   type:tool   → libs
//   type:script (scripts/: npm run demo, gpu-check) → libs
//   scope:detector (retinanet) → scope:model, scope:core, scope:runtime, scope:base
//   scope:model (fpn, focal-loss) → scope:core, scope:runtime, scope:base
//   scope:data (coco) → scope:core, scope:base
//   scope:core (anchors, coco-eval) → scope:core, scope:base
//   scope:runtime (engine, optim) → scope:base only
//   scope:viz (plots) → scope:base only
//   scope:queue (queue: BullMQ jobs over Redis) → scope:base only
//   scope:base (errors: the UserError marker every lib's user-facing errors extend; json-stream: the
//     streaming reader of JSON record files) → nothing of ours
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', 'runs/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app', 'type:tool'] },
            { sourceTag: 'type:tool', notDependOnLibsWithTags: ['type:app'] },
            { sourceTag: 'type:script', notDependOnLibsWithTags: ['type:app', 'type:tool'] },
            { sourceTag: 'scope:detector', onlyDependOnLibsWithTags: ['scope:model', 'scope:core', 'scope:runtime', 'scope:base'] },
            { sourceTag: 'scope:model', onlyDependOnLibsWithTags: ['scope:core', 'scope:runtime', 'scope:base'] },
            { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:core', 'scope:base'] },
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core', 'scope:base'] },
            { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:base'] },
            { sourceTag: 'scope:viz', onlyDependOnLibsWithTags: ['scope:base'] },
            { sourceTag: 'scope:queue', onlyDependOnLibsWithTags: ['scope:base'] },
            { sourceTag: 'scope:base', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
    },
  },
];
