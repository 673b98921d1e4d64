import { defineConfig } from 'tsup';

export default defineConfig({
  // The sub-path entries import the core as 'requestforge' (kept external), so every entry shares
  // one copy of TokenData & co. and `instanceof` holds across them.
  entry: {
    index: 'src/index.ts',
    redis: 'src/redis.ts',
    keyv: 'src/keyv.ts',
    otel: 'src/otel.ts',
    cli: 'src/cli.ts',
  },
  external: ['requestforge'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
});
