// Fails when a source file holds more than 350 lines of code (comments and blank lines not counted):
// one concern per file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT = 350;
const files = readdirSync('src', { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.ts'));
const over = [];
for (const file of files) {
  const code = readFileSync(join('src', file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*|$)/.test(line)).length;
  if (code > LIMIT) over.push(`src/${file}: ${code} lines of code`);
}
if (over.length > 0) {
  console.error(`Files over ${LIMIT} lines of code (split them by concern):\n${over.join('\n')}`);
  process.exit(1);
}
console.log(`check-file-size: ${files.length} source files, none over ${LIMIT} lines of code`);
