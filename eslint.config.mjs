// ESLint (flat config, typescript-eslint), run by the unit test group with zero warnings
// allowed (test/unit/lint.test.ts). Beside the recommended rules it holds the layering the
// README's Layout section describes: `vscode` only in the editor-side folders, imports one
// way (src/core at the bottom, then src/local and src/ui-model, then the editor side), the
// diagnostics free of the commands. test/unit/lint.test.ts checks an upward import fails.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only src/extension.ts, src/ui, src/views, src/commands and src/diagnostics talk to VS Code: keep this code plain Node.' };

/** A relative import that climbs into one of `folders` (or src/extension). The regexes hold no
 *  `/` (esquery's selectors cannot), hence \x2F. */
const into = (folders) => `^(\\.\\.?\\x2F)+((${folders.join('|')})(\\x2F|$)|extension(\\.js)?$)`;

/** The layering rules for one layer: static imports, export-from, `import()` and `import('...')` types. */
function layer(files, folders, message, extraPaths = []) {
  const regex = into(folders);
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: extraPaths, patterns: [{ regex, message }] }],
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value=/${regex}/]`, message },
        { selector: `TSImportType[argument.literal.value=/${regex}/]`, message },
      ],
    },
  };
}

const EDITOR_SIDE = ['tools', 'ui', 'views', 'commands', 'diagnostics', 'chat', 'mcp'];

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
  layer(['src/core/**'], ['local', 'ui-model', ...EDITOR_SIDE], 'src/core is the bottom layer: it imports nothing from local, ui-model or the editor side. Move what both need down into src/core.', [noVscode]),
  layer(['src/local/**'], ['ui-model', ...EDITOR_SIDE], 'src/local sits on src/core only: move what it needs from ui-model or the editor side down into src/core.', [noVscode]),
  layer(['src/ui-model/**'], EDITOR_SIDE, 'The models do not depend on the editor side: move what both need down.', [noVscode]),
  layer(['src/diagnostics/**'], ['commands', 'views', 'chat', 'mcp'], 'Diagnostics do not depend on commands or views: move what both need to core/ or ui-model/.'),
  // The tool table both adapters serve (VS Code's chat and the MCP server): plain Node, on
  // core, local and ui-model only; the MCP server on the table and those.
  layer(['src/tools/**'], ['ui', 'views', 'commands', 'diagnostics', 'chat', 'mcp'], 'The tool table imports only core, local and ui-model: it is plain Node, served by both adapters.', [noVscode]),
  layer(['src/mcp/**'], ['ui', 'views', 'commands', 'diagnostics', 'chat'], 'The MCP server uses only the tool table, core, local and ui-model (plain Node).', [noVscode]),
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
