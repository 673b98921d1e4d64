import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, HttpClientConfigBuilder, TokenData, TokenManager } from '../../src/index';
import { PipelineTokenProvider, TokenFetchPipeline } from '../../src/pipeline/index';
import {
  APP_SECRET,
  guideSteps,
  PASSWORD,
  type PipelineApiServer,
  type PipelineAuthServer,
  startPipelineApi,
  startPipelineAuth,
} from '../support/pipeline-servers';

const quiet = { warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let auth: PipelineAuthServer;
let api: PipelineApiServer;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  auth = await startPipelineAuth();
  api = await startPipelineApi(auth);
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await Promise.all([api.close(), auth.close()]);
});

/** The guide's setup: pipeline → provider → TokenManager → client.withTokenAuth. */
function guideClient(options: { refreshFromStep?: string; userTtlMs?: number } = {}): {
  client: HttpClient;
  pipeline: TokenFetchPipeline;
  provider: PipelineTokenProvider;
} {
  const steps = guideSteps(auth, options.userTtlMs ? { user: { ttlMs: options.userTtlMs } } : {});
  const pipeline = new TokenFetchPipeline({ steps, cacheKeyPrefix: 'myapp', logger: quiet });
  const provider = new PipelineTokenProvider(pipeline, {
    serviceName: 'myapp',
    refreshFromStep: options.refreshFromStep,
  });
  const tokenManager = new TokenManager(provider, undefined, { logger: quiet });
  const client = new HttpClient(
    new HttpClientConfigBuilder().withBaseUrl(api.url).withTokenAuth(tokenManager).build(),
  );
  closers.push(
    () => client.close(),
    () => provider.close(),
  );
  return { client, pipeline, provider };
}

const calls = () => [auth.calls('/v1/app/token'), auth.calls('/v1/user/token')];

describe('the guide pipeline through TokenManager and withTokenAuth', () => {
  it('fetches the app token, then the user token with it, and sends the user token', async () => {
    const { client } = guideClient();
    const response = await client.get('/user/profile');
    expect(response.statusCode).toBe(200);
    expect(calls()).toEqual([1, 1]);
    const userRequest = auth.requestsTo('/v1/user/token')[0]!;
    expect(auth.liveAppTokens.has(String(userRequest.headers['x-app-token']))).toBe(true);
    expect(api.tokensSeen).toHaveLength(1);
    expect(auth.liveUserTokens.has(api.tokensSeen[0]!)).toBe(true);
    expect((await client.get('/user/profile')).statusCode).toBe(200);
    expect(calls()).toEqual([1, 1]);
  });

  it('after a 401, refreshFromStep re-fetches only the user token; the rejected one is gone', async () => {
    const { client } = guideClient({ refreshFromStep: 'user_token' });
    await client.get('/user/profile');
    const rejected = api.tokensSeen[0]!;
    auth.liveUserTokens.delete(rejected); // revoked on the server side
    const response = await client.get('/user/profile');
    expect(response.statusCode).toBe(200);
    expect(calls()).toEqual([1, 2]);
    expect(api.statuses).toEqual([200, 401, 200]);
    for (let i = 0; i < 3; i++) expect((await client.get('/user/profile')).statusCode).toBe(200);
    const afterRejection = api.tokensSeen.slice(2);
    expect(afterRejection).toHaveLength(4);
    expect(afterRejection).not.toContain(rejected);
    expect(calls()).toEqual([1, 2]);
  });

  it('without refreshFromStep, a 401 re-fetches every step', async () => {
    const { client } = guideClient();
    await client.get('/user/profile');
    auth.liveUserTokens.delete(api.tokensSeen[0]!);
    expect((await client.get('/user/profile')).statusCode).toBe(200);
    expect(calls()).toEqual([2, 2]);
    expect(api.tokensSeen[2]).not.toBe(api.tokensSeen[0]);
  });

  it('after expiry only the expired step is fetched again (no 401 needed)', async () => {
    const { client } = guideClient({ userTtlMs: 400 });
    await client.get('/user/profile');
    await sleep(450);
    expect((await client.get('/user/profile')).statusCode).toBe(200);
    expect(calls()).toEqual([1, 2]);
    expect(api.statuses).toEqual([200, 200]);
    expect(api.tokensSeen[1]).not.toBe(api.tokensSeen[0]);
  });
});

describe('renewal ahead of expiry', () => {
  it('re-fetches only the final step, not the steps it depends on', async () => {
    const { client } = guideClient({ userTtlMs: 1000 });
    await client.get('/user/profile');
    await sleep(850); // in the last 20 % of the user token's lifetime
    expect((await client.get('/user/profile')).statusCode).toBe(200); // served at once, renewal starts
    for (let i = 0; i < 50 && calls()[1]! < 2; i++) await sleep(10);
    expect(calls()).toEqual([1, 2]);
    expect(api.statuses.every((status) => status === 200)).toBe(true);
  });
});

describe('PipelineTokenProvider', () => {
  it('replaces a token the pipeline no longer holds without invalidating anything', async () => {
    const { pipeline, provider } = guideClient({ refreshFromStep: 'user_token' });
    const current = await provider.fetchToken();
    const stranger = new TokenData({ accessToken: 'not-from-this-pipeline' });
    expect(await provider.refreshToken(stranger)).toBe(current);
    expect(calls()).toEqual([1, 1]);
    const replaced = await provider.refreshToken(current);
    expect(replaced.accessToken).not.toBe(current.accessToken);
    expect(calls()).toEqual([1, 2]);
    expect((await pipeline.cachedToken('user_token'))?.accessToken).toBe(replaced.accessToken);
  });

  it('refuses an unknown refreshFromStep and a missing serviceName', () => {
    const pipeline = new TokenFetchPipeline({ steps: guideSteps(auth) });
    closers.push(() => pipeline.close());
    expect(() => new PipelineTokenProvider(pipeline, { serviceName: 'x', refreshFromStep: 'nope' })).toThrow(
      /refreshFromStep "nope" is not a step of the pipeline \(app_token, user_token\)/,
    );
    expect(() => new PipelineTokenProvider(pipeline, { serviceName: '' })).toThrow(TypeError);
    expect(() => new PipelineTokenProvider({} as never, { serviceName: 'x' })).toThrow(TypeError);
  });

  it('prints without secrets', async () => {
    const { provider } = guideClient({ refreshFromStep: 'user_token' });
    const token = await provider.fetchToken();
    for (const printed of [inspect(provider, { depth: 10 }), JSON.stringify(provider), String(provider)]) {
      for (const secret of [APP_SECRET, PASSWORD, token.accessToken]) expect(printed).not.toContain(secret);
    }
    expect(inspect(provider)).toContain('refreshFromStep');
  });
});
