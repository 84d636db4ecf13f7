// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'koa',
  '@koa/*',
  'ws',
  '@mikro-orm/*',
  'sqlite3',
  'pino',
  'prom-client',
  '@stoqey/ib',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
  'node:*',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // engine/ is pure: no I/O libraries, no wall clock, no ambient randomness (DESIGN.md).
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ioModules,
              message: 'engine/ stays free of I/O: put this behind a port in adapters/ or storage/.',
            },
            {
              group: ['**/adapters/**', '**/storage/**', '**/http/**'],
              message: 'Imports point into engine/, never out of it.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use event time or the injected ClockPort.' },
        { object: 'Math', property: 'random', message: 'Use an injected id/random port.' },
        { object: 'performance', property: 'now', message: 'Use event time or the injected ClockPort.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'new Date() reads the wall clock.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'engine/ does not read the environment.' },
        { name: 'setTimeout', message: 'Use the injected RxJS scheduler.' },
        { name: 'setInterval', message: 'Use the injected RxJS scheduler.' },
        { name: 'fetch', message: 'engine/ does no I/O.' },
      ],
    },
  },
  {
    files: ['http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/storage/**', '@mikro-orm/*'], message: 'http/ talks to the engine, not the database.' },
          ],
        },
      ],
    },
  },
);
