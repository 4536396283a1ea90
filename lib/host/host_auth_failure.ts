// Is a failed run an auth failure worth one token refresh? Exact DCE contract texts only (docs/bash-suite.md#h20-401-and-403-digits).

/**
 * `Authentication token is invalid.` is what DCE prints when Discord rejects the token (401), and
 * what our core prints as its stable marker. `Request to 'channels/<id>' failed: forbidden.` is a
 * 403 while resolving a channel, which the bash runner also retried on (a token for the wrong
 * account). A 403 on `channels/<id>/messages…` is one inaccessible channel (the core skips it),
 * so it does not count. The bash runner also matched any `401`/`403` substring (channel ids, counts and sizes
 * triggered a second full run) and `failed authenticated preflight` (printed for network errors
 * too); both are dropped.
 */
export const AUTH_FAILURE_PATTERNS: readonly RegExp[] = [
  /Authentication token is invalid/,
  /Request to 'channels\/\d+' failed: forbidden\./,
];

export function isAuthFailure(lines: Iterable<string>): boolean {
  for (const line of lines) {
    if (AUTH_FAILURE_PATTERNS.some((p) => p.test(line))) return true;
  }
  return false;
}
