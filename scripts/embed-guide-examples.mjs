// Keeps the code in docs/guides/*.md identical to the runnable files the tests execute.
// A guide marks a block with `<!-- example: path/to/file.ts -->` on the line before its ```ts fence.
//   node scripts/embed-guide-examples.mjs          rewrites the blocks from the files
//   node scripts/embed-guide-examples.mjs --check  fails (exit 1) when a block differs from its file
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const check = process.argv.includes('--check');
const BLOCK = /<!-- example: (\S+) -->\n```ts\n(?:[\s\S]*?\n)??```/g;
const stale = [];
for (const name of readdirSync('docs/guides').filter((file) => file.endsWith('.md'))) {
  const path = join('docs/guides', name);
  const text = readFileSync(path, 'utf8');
  const embedded = text.replace(BLOCK, (_block, file) => {
    const code = readFileSync(file, 'utf8').trimEnd();
    return `<!-- example: ${file} -->\n\`\`\`ts\n${code}\n\`\`\``;
  });
  if (embedded === text) continue;
  if (check) stale.push(path);
  else writeFileSync(path, embedded);
}
if (stale.length > 0) {
  console.error(
    `Guide code differs from its example file (run node scripts/embed-guide-examples.mjs): ${stale.join(', ')}`,
  );
  process.exit(1);
}
