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
      // The reusable V8 context shares every workflow module between the cases a worker runs (worker/workflow-code.ts):
      // state at module scope would leak from one case into another.
      'no-restricted-syntax': [
        'error',
        ...['Program > VariableDeclaration', 'Program > ExportNamedDeclaration > VariableDeclaration'].flatMap((d) => [
          {
            selector: `${d}[kind!='const']`,
            message: 'Workflow modules are shared between cases: no module-level let/var (keep state in the workflow).',
          },
          {
            selector: `${d} > VariableDeclarator > NewExpression.init[callee.name=/^(Map|Set|WeakMap|WeakSet)$/]`,
            message:
              'Workflow modules are shared between cases: a module-level collection must hold no case data (say why in an eslint-disable comment).',
          },
        ]),
      ],
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
