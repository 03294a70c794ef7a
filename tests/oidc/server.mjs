// A real OAuth 2.0 authorization server for the tests: panva's oidc-provider (installed by `make test`
// into HUB_TEST_OIDC_DIR) on loopback, with two confidential clients for the hub (one requiring PKCE, one
// for the providers without PKCE), rotating refresh tokens, revocation, introspection, a short access-token lifetime and the development login and
// consent pages. It counts successful grants per grant type from the provider's own `grant.success`
// events (GET /_counts) and prints one JSON line per event, never a token.
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.env.OIDC_MODULES;  // the folder holding node_modules/oidc-provider
const require = createRequire(path.join(dir, 'package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const counts = { authorization_code: 0, refresh_token: 0, errors: 0 };

const provider = new Provider(issuer, {
  clients: [process.env.OIDC_CLIENT_ID, process.env.OIDC_PLAIN_CLIENT_ID].map((id, i) => ({
    client_id: id,
    client_secret: i === 0 ? process.env.OIDC_CLIENT_SECRET : process.env.OIDC_PLAIN_CLIENT_SECRET,
    redirect_uris: ['http://127.0.0.1/oauth_callback'],  // see redirectUriAllowed below
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  scopes: (process.env.OIDC_SCOPES || 'read').split(' '),
  // PKCE is required of the hub's client; the second ("plain") client stands for the providers that do
  // not support PKCE (Intercom, Notion, Slack, ...), whose sign-in sends no code_challenge
  pkce: { required: (_ctx, client) => client.clientId !== process.env.OIDC_PLAIN_CLIENT_ID },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: Number(process.env.OIDC_ACCESS_TTL || 30),
    AuthorizationCode: 60,
    RefreshToken: 86400,
    Grant: 86400,
    Interaction: 600,
    Session: 600,
  },
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
  },
  cookies: { keys: ['test-only-cookie-key'] },
});
// The hub's redirect URI carries the port of whichever app or API server a test started: any loopback
// address is allowed (a test double; a real provider checks the registered URI exactly).
const allowed = (uri) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(uri);
provider.Client.prototype.redirectUriAllowed = allowed;

const log = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
provider.on('grant.success', (ctx) => {
  const type = ctx.oidc.params.grant_type;
  counts[type] = (counts[type] || 0) + 1;
  log({ event: 'grant.success', grant_type: type });
});
provider.on('grant.error', (ctx, err) => {
  counts.errors += 1;
  log({ event: 'grant.error', grant_type: ctx.oidc.params?.grant_type, error: err.error });
});
provider.on('revocation.success', () => log({ event: 'revocation.success' }));
provider.on('server_error', (_ctx, err) => log({ event: 'server_error', message: String(err) }));

// The providers without PKCE that this client stands for (Intercom, Notion) fix the scopes on the app, and
// their authorize requests carry none: oidc-provider denies a request without scopes, so the app's scope
// is added here, as those providers do on their side.
const appScope = (req) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/auth' && url.searchParams.get('client_id') === process.env.OIDC_PLAIN_CLIENT_ID
      && !url.searchParams.has('scope')) {
    url.searchParams.set('scope', 'read');
    req.url = `${url.pathname}${url.search}`;
  }
};

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url === '/_counts') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(counts));
    return;
  }
  appScope(req);
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => log({ event: 'ready', issuer }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
