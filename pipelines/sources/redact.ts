/**
 * Credentials in source URLs. A URL from the config may carry userinfo (https://user:pass@host/…) or a token in its
 * query (token=, apikey=, key=, access_token=, …). Such URLs are logged, named in errors, stored in
 * source_fetch.url and written to manifest.json, all of which are published or shared; so every one of those
 * places goes through redactUrl / redactText, which replace the secret with `***`.
 *
 * Userinfo is refused outright (assertNoUrlCredentials, a UsageError before any request): fetch cannot send it
 * (it throws "Request cannot be constructed from a URL that includes credentials"), so such a URL never worked;
 * the error names the URL redacted. Query tokens are sent as configured and redacted wherever they are written.
 */
import { UsageError } from '../errors.ts';

/** Query parameters whose value is a secret (compared case-insensitively). */
const SECRET_PARAMS = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'auth_token',
  'authorization',
  'apikey',
  'api_key',
  'api-key',
  'key',
  'secret',
  'client_secret',
  'password',
  'passwd',
  'pwd',
  'sig',
  'signature',
];

const paramPattern = SECRET_PARAMS.map((p) => p.replace(/[-_]/g, '[-_]')).join('|');
/** `?token=abc` / `&apikey=abc` / `;key=abc`: the value up to the next separator, whitespace or quote. */
const SECRET_QUERY = new RegExp(`([?&;](?:${paramPattern})=)[^&;#\\s"'<>]*`, 'gi');
/** `scheme://user:pass@` (or `scheme://user@`) at the start of an authority. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** Replaces userinfo and the values of token-like query parameters with `***`; other URLs come back unchanged. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** redactUrl applied to every URL in a free text (log messages, error messages). */
export function redactText(text: string): string {
  if (!text.includes('=') && !text.includes('@')) return text;
  return text.replace(USERINFO, '$1***@').replace(SECRET_QUERY, '$1***');
}

/** True when the URL carries userinfo. */
export function hasUserinfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
  }
}

/**
 * Refuses a URL with userinfo: `what` names the setting (e.g. "koladaBaseUrl"). Meant for config time as well
 * (loadConfig may call it for every source URL); httpRequest calls it before every request.
 */
export function assertNoUrlCredentials(url: string, what: string): void {
  if (hasUserinfo(url)) {
    throw new UsageError(`${what}: ${redactUrl(url)} carries a user name or password; credentials in source URLs are not supported (they would be logged and published) — remove them`);
  }
}
