// Runs the given guide example files one after the other in this one process (one start-up
// instead of one per file), printing `### <file>` before each file's own output.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) {
  console.log(`### ${file}`);
  await import(pathToFileURL(resolve(file)).href);
}
