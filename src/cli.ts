#!/usr/bin/env node
// The `requestforge` command: try a token configuration, send one authenticated request.
import { run } from './cli/main';

run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  pretty: process.stdout.isTTY === true,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
