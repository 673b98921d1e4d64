import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^requestforge$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      {
        find: /^requestforge\/redis$/,
        replacement: fileURLToPath(new URL('./src/redis.ts', import.meta.url)),
      },
      { find: /^requestforge\/keyv$/, replacement: fileURLToPath(new URL('./src/keyv.ts', import.meta.url)) },
      { find: /^requestforge\/otel$/, replacement: fileURLToPath(new URL('./src/otel.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The level of today's suite: a change that drops coverage below it fails `npm test`.
      thresholds: { statements: 90, branches: 84, functions: 92, lines: 92 },
    },
  },
});
