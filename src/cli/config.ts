import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GRANTS } from './grants';
import { parseJson } from './json-position';
import { UsageError } from './usage-error';

/** The configuration file read when `--config` is not given, in the working directory. */
export const DEFAULT_CONFIG_FILE = 'requestforge.config.json';

/** Options the command line reads itself; every other option goes to the provider. */
const CLI_KEYS = new Set(['grant', 'baseUrl']);

/**
 * Options that hold secrets: they must be references (`env:VAR`, `file:PATH`), never literals,
 * so a configuration file can be committed and shared.
 */
const SECRET_OPTION =
  /secret|password|passphrase|assertion|private_?key|^token$|subject_?token|actor_?token|refresh_?token/i;

/** Options that name a file the provider reads itself (`clientAssertionFile`): a path, not a secret. */
const PATH_OPTION = /File$/;

/** One profile, ready to use: its provider options with secrets resolved. */
export interface Profile {
  readonly name: string;
  readonly grant: string;
  readonly baseUrl: string | undefined;
  /** Options for the provider class, secrets resolved. */
  readonly options: Record<string, unknown>;
  /** The resolved secrets, to scrub from anything printed. */
  readonly secrets: readonly string[];
  /** Identifies the profile's configuration (file, name, options as written: references, not secrets) for the token cache. */
  readonly fingerprint: string;
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Resolves `env:VAR` or `file:PATH` (relative to the configuration file). */
function resolveSecret(reference: unknown, where: string, env: NodeJS.ProcessEnv, baseDir: string): string {
  if (typeof reference !== 'string')
    throw new UsageError(`${where} must be a reference string (env:VAR or file:PATH)`);
  if (reference.startsWith('env:')) {
    const variable = reference.slice(4);
    const value = env[variable];
    if (value === undefined || value === '')
      throw new UsageError(`${where} refers to the environment variable ${variable}, which is not set`);
    return value;
  }
  if (reference.startsWith('file:')) {
    const path = resolve(baseDir, reference.slice(5));
    let value: string;
    try {
      value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`${where} refers to the file ${path}, which cannot be read (${code})`);
    }
    if (value === '') throw new UsageError(`${where} refers to the file ${path}, which is empty`);
    return value;
  }
  throw new UsageError(
    `${where} holds a literal secret: give a reference instead (env:VAR or file:PATH); the value was not used`,
  );
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new UsageError(
        `configuration file ${path} not found (create ${DEFAULT_CONFIG_FILE} or pass --config FILE)`,
      );
    throw new UsageError(`configuration file ${path} cannot be read (${code ?? 'error'})`);
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const { line, column, reason } = parsed.error;
    throw new UsageError(`configuration file ${path}: line ${line}, column ${column}: ${reason}`);
  }
  return parsed.value;
}

/** Reads one profile of a configuration file and resolves its secret references (unless told not to: `logout`). */
export function loadProfile(
  configPath: string,
  name: string,
  env: NodeJS.ProcessEnv,
  resolveSecrets = true,
): Profile {
  const path = resolve(configPath);
  const config = readConfigFile(path);
  if (!isRecord(config) || !isRecord(config.profiles))
    throw new UsageError(`configuration file ${path}: expected { "profiles": { "<name>": { … } } }`);
  const profiles = config.profiles;
  const raw = Object.hasOwn(profiles, name) ? profiles[name] : undefined;
  if (raw === undefined) {
    const known = Object.keys(profiles);
    throw new UsageError(
      `profile "${name}" not found in ${path} (profiles: ${known.length > 0 ? known.join(', ') : 'none'})`,
    );
  }
  const where = `profile "${name}"`;
  if (!isRecord(raw)) throw new UsageError(`${where} must be an object, got ${describeType(raw)}`);
  const grant = raw.grant;
  if (typeof grant !== 'string' || !Object.hasOwn(GRANTS, grant))
    throw new UsageError(`${where}: "grant" must be one of ${Object.keys(GRANTS).join(', ')}`);
  const baseUrl = raw.baseUrl;
  if (baseUrl !== undefined && (typeof baseUrl !== 'string' || !/^https?:\/\//i.test(baseUrl)))
    throw new UsageError(`${where}: "baseUrl" must be an absolute http(s) URL`);

  const options: Record<string, unknown> = {};
  const secrets: string[] = [];
  const reference = (value: unknown, name: string) => {
    const secret = resolveSecret(value, `${where}: "${name}"`, env, dirname(path));
    secrets.push(secret);
    return secret;
  };
  for (const [key, value] of Object.entries(raw)) {
    if (CLI_KEYS.has(key)) continue;
    if (!resolveSecrets) options[key] = value;
    else if (key === 'tls' && isRecord(value)) {
      // Certificates, keys, CAs and the passphrase: all references (file:client.crt, env:TLS_PASSPHRASE).
      options[key] = Object.fromEntries(
        Object.entries(value).map(([name, item]) => [name, reference(item, `tls.${name}`)]),
      );
    } else if (key === 'dpop' && isRecord(value) && value.privateKey !== undefined) {
      // The proof key: a reference to a PEM private key or a private JWK (file:dpop-key.pem).
      options[key] = { ...value, privateKey: reference(value.privateKey, 'dpop.privateKey') };
    } else if (SECRET_OPTION.test(key) && !PATH_OPTION.test(key)) options[key] = reference(value, key);
    else options[key] = value;
  }
  options.serviceName ??= name;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([path, name, raw]))
    .digest('hex');
  return { name, grant, baseUrl, options, secrets, fingerprint };
}
