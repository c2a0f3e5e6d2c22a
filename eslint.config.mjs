// Type-aware linting of every TypeScript source (apps, libs, tests, benchmarks).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.loom/**', 'libs/persistence/src/generated/**', 'prisma.config.ts', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Workflow code is deterministic and bundled for Temporal's sandbox: no I/O, no Nest, no Prisma, no Node built-ins.
    files: ['libs/workflows/**/*.ts', 'test/fixtures/workflows.ts', 'test/fixtures/engine/**/*.ts', 'test/fixtures/oss/**/*.ts', 'bench/fixtures/bare-workflows.ts', 'bench/fixtures/engine-workflows.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            // DESIGN.md: workflow code imports @temporalio/workflow, libs/domain, zod, its own folder, and activity interfaces as types.
            {
              regex: '^#(activities|contracts|integrations|persistence|config|runtime|logging)/',
              message: 'workflow code imports #domain, and other libraries (activity interfaces) as types only',
              allowTypeImports: true,
            },
            { group: ['node:*', 'fs', 'path', 'crypto', 'child_process'], message: 'workflow code must not use Node built-ins' },
            { group: ['@nestjs/*', '@prisma/*', 'class-validator', 'class-transformer', 'pg', 'prisma'], message: 'workflow code must not import I/O or framework code' },
            { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'workflow code imports @temporalio/workflow only' },
          ],
        },
      ],
    },
  },
)
