import { defineConfig } from 'vitest/config';

// Tests talk to real servers over loopback and to real external judges (openssl, xmllint,
// python3, curl, chromium); generous timeouts cover a loaded 2-core CI machine, not slowness.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
