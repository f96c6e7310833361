// Lint rules, and the dependency direction of DESIGN.md enforced through Nx project tags:
//   type:app    → anything but other apps
//   type:tool   → libs
//   scope:detector (retinanet) → scope:model, scope:core, scope:runtime
//   scope:model (fpn, focal-loss) → scope:core, scope:runtime
//   scope:data (coco) → scope:core
//   scope:core (anchors, coco-eval) → scope:core only
//   scope:runtime (engine) → nothing of ours
//   scope:viz (plots) → nothing of ours
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
            { sourceTag: 'scope:detector', onlyDependOnLibsWithTags: ['scope:model', 'scope:core', 'scope:runtime'] },
            { sourceTag: 'scope:model', onlyDependOnLibsWithTags: ['scope:core', 'scope:runtime'] },
            { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:viz', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
    },
  },
];
