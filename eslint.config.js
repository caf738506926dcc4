// ESLint flat config: type-aware rules everywhere, and workflow code kept deterministic.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', '.data/', 'bench/results/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] } } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': 'error',
      // React escapes everything it renders; raw HTML would bypass that (customer text must stay text).
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Raw HTML bypasses escaping: render text and components instead.',
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins,
            'imapflow',
            'nodemailer',
            'mailparser',
            'fastify',
            '@temporalio/activity',
            '@temporalio/client',
            '@temporalio/worker',
          ],
          patterns: [
            {
              // At any depth below workflows/ (workflows/complaint/, workflows/rules/ …).
              group: ['**/activities/*', '**/worker/*', '**/templates/*', '**/scripts/*'],
              allowTypeImports: true,
              message: 'Workflow code imports only @temporalio/workflow and pure modules.',
            },
          ],
        },
      ],
    },
  },
);
