// ESLint (flat config): typescript-eslint's recommended rules with type information for the
// TypeScript of every folder, Prettier owning the formatting (eslint-config-prettier turns the
// stylistic rules off). `npm run lint` runs it with `prettier --check`; CI runs both.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.streamlake/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // a promise nobody awaits hides its failure: every one is awaited, returned or voided on purpose
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // unused names are errors, except a deliberately ignored `_` parameter
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // errors are thrown as StreamlakeError classes; a caught value may be anything
      '@typescript-eslint/only-throw-error': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // a known failure is a StreamlakeError whose `retriable` flag the caller acts on (model/errors.ts)
    files: ['model/**/*.ts', 'pipelines/**/*.ts', 'lambda/**/*.ts', 'lib/**/*.ts', 'local/**/*.ts', 'bin/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ThrowStatement > NewExpression[callee.name=/^(Error|RangeError|TypeError)$/]',
          message: 'Throw a StreamlakeError subclass (model/errors.ts) so the caller knows whether to retry.',
        },
      ],
    },
  },
  {
    // tests assert on shapes they build themselves
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
