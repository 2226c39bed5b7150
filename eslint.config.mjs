// ESLint (flat config, typescript-eslint), run by the unit test group with zero warnings
// allowed (test/unit/lint.test.ts). Beside the recommended rules it holds the layering the
// README's Layout section describes: `vscode` only in the editor-side folders, the core and
// the models free of the UI, the diagnostics free of the commands.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only src/extension.ts, src/ui, src/views, src/commands and src/diagnostics talk to VS Code: keep this code plain Node.' };

export default tseslint.config(
  { ignores: ['dist/**', 'media/dist/**', 'out/**', '.cache/**', 'node_modules/**', 'test/.artifacts/**', 'bench/results/**', 'l10n/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Command arguments and test doubles are `any` on purpose, where they say so.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `require` stays where a CommonJS-only API is loaded on purpose (mocha in the extension host).
      '@typescript-eslint/no-require-imports': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['src/core/**', 'src/local/**', 'src/ui-model/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [{ group: ['**/views/**', '**/commands/**', '**/ui/**'], message: 'The core and the models do not depend on the UI.' }] }] },
  },
  {
    // The tool table both adapters serve (VS Code's chat and the MCP server): plain Node, and
    // nothing from the editor-side folders or either adapter.
    files: ['src/tools/**', 'src/mcp/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [{ group: ['**/views/**', '**/commands/**', '**/ui/**', '**/chat/**', '**/diagnostics/**'], message: 'The tool table and the MCP server use only core, local and ui-model (plain Node).' }] }] },
  },
  {
    files: ['src/tools/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [{ group: ['**/views/**', '**/commands/**', '**/ui/**', '**/chat/**', '**/diagnostics/**', '**/mcp/**'], message: 'The tool table imports only core, local and ui-model: it is plain Node, served by both adapters.' }] }] },
  },
  {
    files: ['src/diagnostics/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/commands/**'], message: 'Diagnostics do not depend on commands: move what both need to core/ or ui-model/.' }] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
  },
  {
    // A fixture extension VS Code loads as CommonJS, as extensions are.
    files: ['test/e2e/tool-caller/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
  },
);
