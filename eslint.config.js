// ESLint: TypeScript + Vue rules, and the folder import rules of ARCHITECTURE.md enforced with
// no-restricted-imports: `shared` imports nothing of ours; `toolchain` and `machine` import
// `shared` only; only `main/app` imports electron; `renderer` imports pure `shared` code (api, trace, isa, asm), `preload` `shared/api` only;
// devices never import the hart.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'

const electron = { name: 'electron', message: 'Only src/main/app may import electron (ARCHITECTURE.md).' }
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url']
const pure = (what) => ({ group: nodeBuiltins, message: `${what} is pure TypeScript: no Node imports (ARCHITECTURE.md).` })

function restrict(files, patterns, paths = [electron]) {
  return { files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } }
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'build/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'src/main/machine/hart/assembly/**', 'src/main/machine/x86/hart/assembly/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty-pattern': 'off',
      'no-undef': 'off', // TypeScript checks this, with the right globals per folder
      'no-constant-condition': ['error', { checkLoops: false }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-indent': 'off',
    },
  },
  // src/shared: imports nothing of ours outside shared, no Node, no Electron.
  restrict(['src/shared/**'], [
    { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared imports nothing of ours outside shared.' },
    pure('src/shared'),
  ]),
  // toolchain: shared only; pure.
  restrict(['src/main/toolchain/**'], [
    { group: ['**/host/**', '**/web/**', '**/app/**', '**/machine/**', '**/trace/**', '!**/shared/trace/**', '**/worker/**', '**/cli/**', '**/renderer/**'], message: 'The toolchain imports src/shared only.' },
    pure('The toolchain'),
  ]),
  // machine: shared (and itself) only.
  restrict(['src/main/machine/**'], [
    { group: ['**/host/**', '**/web/**', '**/app/**', '**/toolchain/**', '**/trace/**', '!**/shared/trace/**', '**/worker/**', '**/cli/**', '**/renderer/**'], message: 'The machine imports src/shared only.' },
  ]),
  // devices never import the hart: they see the Bus and an interrupt line.
  restrict(['src/main/machine/devices/**'], [
    { group: ['**/hart/**', '!**/hart/hart-api'], message: 'Devices never import the hart (ARCHITECTURE.md).' },
    { group: ['**/host/**', '**/web/**', '**/app/**', '**/toolchain/**', '**/trace/**', '!**/shared/trace/**', '**/worker/**', '**/cli/**'], message: 'The machine imports src/shared only.' },
  ]),
  // renderer: shared (pure code: api, trace types, the ISA table and assembler vocabulary for the editor), never main or preload.
  restrict(['src/renderer/**'], [
    { group: ['**/main/**', '**/preload/**', '**/shared/elf/**'], message: 'The renderer imports src/shared (api, trace, isa, asm) only, never main or preload.' },
    pure('The renderer'),
  ]),
  // preload: electron (it is the bridge) and shared/api only.
  restrict(['src/preload/**'], [
    { group: ['**/main/**', '**/renderer/**', '**/shared/isa/**', '**/shared/elf/**', '**/shared/trace/**'], message: 'The preload imports src/shared/api only.' },
  ], []),
  // main/app is the only place for electron: lift the restriction there.
  { files: ['src/main/app/**'], rules: { 'no-restricted-imports': 'off' } },
  // everything else in main (host, web, worker, trace, cli, files) must not import electron.
  restrict(['src/main/host/**', 'src/main/files/**', 'src/main/web/**', 'src/main/worker/**', 'src/main/trace/**', 'src/main/cli/**', 'test/**', 'bench/**'], []),
)
