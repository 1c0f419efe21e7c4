import nx from '@nx/eslint-plugin';

// Which lib may import which: apps depend on libs, libs never on apps, and the pure
// layers (contracts, policy) on nothing framework-specific.
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:auth', 'type:policy', 'type:connectors', 'type:secrets', 'type:execution', 'type:testing'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform'] },
  { sourceTag: 'type:policy', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:secrets', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data'] },
  { sourceTag: 'type:auth', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data'] },
  { sourceTag: 'type:connectors', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:policy', 'type:secrets'] },
  { sourceTag: 'type:execution', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:policy', 'type:connectors', 'type:secrets'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:auth', 'type:policy', 'type:connectors', 'type:secrets', 'type:execution'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/vite.config.*.timestamp*'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: true, allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$', '^(\\.\\./)+tools/webpack/node-app\\.config$'], depConstraints },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.spec.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
];
