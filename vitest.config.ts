import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // In-repo tests import the package entry points from source (as tsconfig's "paths" does);
    // test/package/exports.test.ts checks the compiled dist/ a consumer gets.
    alias: [
      { find: /^qdqsim\/testing$/, replacement: src('testing/index.ts') },
      { find: /^qdqsim\/kernels$/, replacement: src('kernels/index.ts') },
      { find: /^qdqsim$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Property suites and the interpreter are CPU-heavy; two cores, two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
