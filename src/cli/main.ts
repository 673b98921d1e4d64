import {
  AuthenticationException,
  HttpClient,
  HttpClientConfigBuilder,
  HttpClientException,
  RequestBuildException,
  type TokenData,
  TokenManager,
  toCurl,
  VERSION,
} from 'requestforge';
import { scrubSecrets } from '../observability/scrub';
import { type Command, parseCommand, USAGE } from './args';
import { DEFAULT_CONFIG_FILE, loadProfile, type Profile } from './config';
import { type CliProvider, GRANTS } from './grants';
import { describeBody, describeHead, describeRequest, describeToken } from './output';
import { cacheDirectory, clearTokenCache, FileTokenStorage } from './token-cache';
import { EXIT, UsageError } from './usage-error';

/** What the command line reads and writes: the process, or a test's stand-in. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Pretty-print JSON bodies (stdout is a terminal). */
  readonly pretty: boolean;
  out(text: string | Uint8Array): void;
  err(text: string): void;
}

/** Builds what a profile describes; its options errors are the user's (exit 2), named by profile. */
function fromProfile<T>(profile: Profile, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`profile "${profile.name}": ${error.message}`);
    throw error;
  }
}

interface Session {
  readonly profile: Profile;
  readonly provider: CliProvider;
  readonly manager: TokenManager;
  readonly storage: FileTokenStorage;
}

function openSession(profileName: string, config: string | undefined, io: CliIo): Session {
  const profile = loadProfile(config ?? `${io.cwd}/${DEFAULT_CONFIG_FILE}`, profileName, io.env);
  const provider = fromProfile(profile, () => GRANTS[profile.grant]!(profile.options));
  const storage = new FileTokenStorage(cacheDirectory(io.env), profile.fingerprint);
  const warn = (message: string) =>
    io.err(`requestforge: warning: ${scrubSecrets(message, profile.secrets)}\n`);
  const logger = { debug() {}, info() {}, warn, error: warn };
  const manager = fromProfile(profile, () => new TokenManager(provider, storage, { logger }));
  return { profile, provider, manager, storage };
}

function sourceOf(manager: TokenManager): string {
  const { fetches, refreshes } = manager.stats;
  return fetches + refreshes > 0 ? 'token endpoint (now cached)' : 'cache';
}

async function token(
  command: Extract<Command, { kind: 'token' }>,
  session: Session,
  io: CliIo,
): Promise<number> {
  const fresh: TokenData = await session.manager.getToken();
  if (command.verbose)
    io.err(
      `* profile "${session.profile.name}": grant ${session.profile.grant}, service "${session.manager.serviceName}"\n`,
    );
  io.out(describeToken(fresh, sourceOf(session.manager), command.showToken));
  return EXIT.ok;
}

/** The origin credentials may go to: the profile's `baseUrl`, else the URL's own (the user named it). */
function baseFor(profile: Profile, url: string): string {
  if (profile.baseUrl !== undefined) return profile.baseUrl;
  if (!/^https?:\/\//i.test(url))
    throw new UsageError(`profile "${profile.name}" has no "baseUrl": give an absolute http(s) URL`);
  return new URL(url).origin;
}

async function request(
  command: Extract<Command, { kind: 'request' }>,
  session: Session,
  io: CliIo,
): Promise<number> {
  const client = new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(baseFor(session.profile, command.url))
      .withTokenAuth(session.manager)
      .build(),
  );
  try {
    const response = await client.request({
      method: command.method,
      url: command.url,
      headers: command.headers,
      ...(command.json !== undefined ? { json: command.json } : {}),
    });
    if (!response.request.headers.authorization)
      io.err(
        'requestforge: note: this URL is outside the profile\'s "baseUrl" origin: sent without credentials\n',
      );
    if (command.curl) io.err(`${toCurl(response.request)}\n`);
    if (command.verbose) {
      io.err(`* profile "${session.profile.name}": token from ${sourceOf(session.manager)}\n`);
      io.err(describeRequest(response.request));
    }
    io.err(describeHead(response));
    io.out(describeBody(response, io.pretty));
    return response.statusCode >= 400 ? EXIT.httpError : EXIT.ok;
  } finally {
    await client.close();
  }
}

function logout(command: Extract<Command, { kind: 'logout' }>, io: CliIo): number {
  const directory = cacheDirectory(io.env);
  if (command.profile === undefined) {
    const removed = clearTokenCache(directory);
    io.out(
      `removed ${removed} cached token${removed === 1 ? '' : 's'} and the cache key from ${directory}\n`,
    );
    return EXIT.ok;
  }
  const profile = loadProfile(
    command.config ?? `${io.cwd}/${DEFAULT_CONFIG_FILE}`,
    command.profile,
    io.env,
    false,
  );
  const removed = new FileTokenStorage(directory, profile.fingerprint).clear();
  io.out(`removed ${removed} cached token${removed === 1 ? '' : 's'} of profile "${profile.name}"\n`);
  return EXIT.ok;
}

/** True when a failure was caused by the network (refused, reset, DNS, TLS, timeout), not by an answer. */
function transportCause(error: Error): boolean {
  for (let cause = error.cause, depth = 0; cause !== undefined && depth < 5; depth++) {
    if (cause instanceof HttpClientException && !(cause instanceof AuthenticationException)) return true;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return false;
}

/** The exit code of a failure, and its one line (no stack, no secret). */
function failure(error: unknown, secrets: readonly string[]): { code: number; line: string } {
  const text = (message: string) => scrubSecrets(message.split('\n')[0]!, secrets);
  if (error instanceof UsageError) return { code: EXIT.usage, line: text(error.message) };
  if (error instanceof RequestBuildException) return { code: EXIT.usage, line: text(error.message) };
  if (error instanceof AuthenticationException) {
    // The token endpoint could not be reached at all: a network error, not a refusal.
    if (error.statusCode === undefined && transportCause(error))
      return { code: EXIT.network, line: `token endpoint unreachable: ${text(error.message)}` };
    return { code: EXIT.auth, line: `authentication failed: ${text(error.message)}` };
  }
  if (error instanceof HttpClientException) return { code: EXIT.network, line: text(error.message) };
  const name = error instanceof Error ? error.name : typeof error;
  return { code: EXIT.httpError, line: `unexpected failure (${name})` };
}

/** Runs one command; resolves the exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let session: Session | undefined;
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (command.kind === 'version') {
      io.out(`requestforge ${VERSION}\n`);
      return EXIT.ok;
    }
    if (command.kind === 'logout') return logout(command, io);
    session = openSession(command.profile, command.config, io);
    return command.kind === 'token' ? await token(command, session, io) : await request(command, session, io);
  } catch (error) {
    const { code, line } = failure(error, session?.profile.secrets ?? []);
    io.err(`requestforge: ${line}\n`);
    if (error instanceof UsageError && error.showUsage) io.err(`Run "requestforge --help" for usage.\n`);
    return code;
  } finally {
    await session?.provider.close?.();
  }
}
