// The `requestforge` command: try a token configuration and call an API from a shell.
// (Installed, it is `npx requestforge …`; this example runs the command from the sources.)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { exampleAuth } from './support/stand-ins';

const auth = await exampleAuth(); // stands in for https://auth.example.com
const api = await auth.api(); // stands in for https://api.example.com
const workdir = mkdtempSync(join(tmpdir(), 'requestforge-example-'));

// requestforge.config.json: provider options under their own names, secrets only by reference.
const config = {
  profiles: {
    default: {
      grant: 'client_credentials',
      tokenUrl: `${auth.url}/oauth/token`,
      clientId: 'your-client-id',
      clientSecret: 'env:ORDERS_CLIENT_SECRET',
      scope: 'orders:read',
      serviceName: 'orders-api',
      baseUrl: api.url,
    },
  },
};
writeFileSync(join(workdir, 'requestforge.config.json'), JSON.stringify(config, null, 2));

const cli = resolve(import.meta.dirname, '../src/cli.ts');
const tsx = ['--import', import.meta.resolve('tsx')]; // runs the TypeScript sources
const tsconfig = resolve(import.meta.dirname, '../tsconfig.json');
async function requestforge(...args: string[]): Promise<void> {
  console.log(`$ requestforge ${args.join(' ')}`);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...tsx, cli, ...args], {
      cwd: workdir,
      env: {
        ...process.env,
        ORDERS_CLIENT_SECRET: 'your-client-secret',
        XDG_CACHE_HOME: join(workdir, 'cache'),
        TSX_TSCONFIG_PATH: tsconfig, // resolves 'requestforge' to the sources
      },
      encoding: 'utf8',
    });
    process.stdout.write(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    process.stdout.write(failed.stdout + failed.stderr);
    console.log(`(exit code ${failed.code})`);
  }
}

await requestforge('token'); // asks the token endpoint
await requestforge('token'); // served from the encrypted cache: no token request
await requestforge('get', '/orders');
console.log(`\ntoken requests: ${JSON.stringify(auth.grants)}`); // `requestforge logout` clears the cache

// A secret written into the file is refused (and never printed).
config.profiles.default.clientSecret = 'your-client-secret';
writeFileSync(join(workdir, 'requestforge.config.json'), JSON.stringify(config));
await requestforge('token');

rmSync(workdir, { recursive: true, force: true });
await Promise.all([api.close(), auth.close()]);
