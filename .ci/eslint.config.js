// Lint rules: typescript-eslint's recommended type-aware set, plus the project's
// architecture rules (states/ stays free of effects; only src/ari imports ari-client).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'test/support/*.mjs'] }, tsconfigRootDir: fileURLToPath(new URL('..', import.meta.url)) },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['src/ari/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'ari-client', message: 'Only src/ari/ may import ari-client.' }] }],
    },
  },
  {
    files: ['states/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['ari-client', 'winston', 'node:process'].map((name) => ({ name, message: 'states/ holds machine definitions only; effects come from src/.' })),
        patterns: [{ group: ['**/src/**'], message: 'states/ must not import the runtime.' }],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'states/ never reads process.env.' }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } } },
);
