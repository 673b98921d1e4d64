/**
 * RFC 6749 §2.3.1 client authentication with HTTP Basic: the client id and secret are each
 * form-urlencoded before the Basic encoding (many servers get this wrong; we do not).
 * @example
 * ```ts
 * clientSecretBasic('my client', 's3cret'); // 'Basic bXkrY2xpZW50OnMzY3JldA=='
 * ```
 */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`, 'utf8').toString('base64')}`;
}
