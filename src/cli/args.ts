import { parseArgs } from 'node:util';
import { parseJson } from './json-position';
import { UsageError } from './usage-error';

/** A mistake in the arguments: reported with a pointer to `--help`. */
class ArgumentError extends UsageError {
  constructor(message: string) {
    super(message, true);
  }
}

/** The HTTP verbs the command line sends. */
export const VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Verb = (typeof VERBS)[number];

/** What the user asked for. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'logout'; readonly profile: string | undefined; readonly config: string | undefined }
  | {
      readonly kind: 'token';
      readonly profile: string;
      readonly config: string | undefined;
      readonly showToken: boolean;
      readonly verbose: boolean;
    }
  | {
      readonly kind: 'request';
      readonly method: Uppercase<Verb>;
      readonly url: string;
      readonly profile: string;
      readonly config: string | undefined;
      readonly json: unknown;
      readonly headers: Readonly<Record<string, string>>;
      readonly curl: boolean;
      readonly verbose: boolean;
    };

export const USAGE = `Usage:
  requestforge token [--profile NAME] [--show-token] [--verbose]
  requestforge get|post|put|patch|delete URL [--json BODY] [-H 'Name: value']... [--profile NAME] [--curl] [--verbose]
  requestforge logout [--profile NAME]

Options:
  --config FILE    configuration file (default: requestforge.config.json in the working directory)
  --profile NAME   profile of the configuration file (default: "default")
  --json BODY      send BODY (JSON) as the request body
  -H, --header     add a request header, 'Name: value' (repeatable)
  --curl           print the request as a curl command, credentials redacted (on stderr)
  --verbose        print the exchange, credentials redacted (on stderr)
  --show-token     print the access token itself
  -h, --help       this text

Exit codes: 0 success, 1 HTTP error status, 2 usage error, 3 auth failure, 4 network error.`;

const OPTIONS = {
  config: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  curl: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  'show-token': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new ArgumentError(`-H expects 'Name: value', got a value without a name`);
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

function only(command: string, given: Record<string, unknown>, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined && !allowed.includes(name))
      throw new ArgumentError(`--${name} does not apply to "${command}"`);
  }
}

/** Reads the command line; every mistake is a `UsageError` naming it. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ArgumentError((error as Error).message.split('\n')[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined)
    throw new ArgumentError('a command is missing (token, get, post, put, patch, delete, logout)');
  const profile = values.profile ?? 'default';
  const { config } = values;
  if (command === 'logout') {
    only(command, values, ['profile', 'config']);
    if (rest.length > 0) throw new ArgumentError('"logout" takes no arguments');
    return { kind: 'logout', profile: values.profile, config };
  }
  if (command === 'token') {
    only(command, values, ['profile', 'config', 'show-token', 'verbose']);
    if (rest.length > 0) throw new ArgumentError('"token" takes no arguments');
    return {
      kind: 'token',
      profile,
      config,
      showToken: values['show-token'] ?? false,
      verbose: values.verbose ?? false,
    };
  }
  if (!(VERBS as readonly string[]).includes(command))
    throw new ArgumentError(
      `unknown command "${command.slice(0, 40)}" (token, get, post, put, patch, delete, logout)`,
    );
  only(command, values, ['profile', 'config', 'json', 'header', 'curl', 'verbose']);
  if (rest.length !== 1) throw new ArgumentError(`"${command}" takes one URL`);
  let json: unknown;
  if (values.json !== undefined) {
    const body = parseJson(values.json);
    if (!body.ok)
      throw new ArgumentError(`--json is not valid JSON (column ${body.error.column}: ${body.error.reason})`);
    json = body.value;
  }
  const headers: Record<string, string> = {};
  for (const line of values.header ?? []) {
    const [name, value] = parseHeader(line);
    headers[name] = value;
  }
  return {
    kind: 'request',
    method: command.toUpperCase() as Uppercase<Verb>,
    url: rest[0]!,
    profile,
    config,
    json,
    headers,
    curl: values.curl ?? false,
    verbose: values.verbose ?? false,
  };
}
