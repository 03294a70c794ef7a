// A real OAuth 2.0 authorization server for the tests: panva's oidc-provider (installed by `make test`
// into HUB_TEST_OIDC_DIR) on loopback, with one confidential client for the hub, PKCE required, rotating
// refresh tokens, revocation, introspection, a short access-token lifetime and the development login and
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
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: ['http://127.0.0.1/oauth_callback'],  // see redirectUriAllowed below
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: (process.env.OIDC_SCOPES || 'read').split(' '),
  pkce: { required: () => true },
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

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url === '/_counts') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(counts));
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => log({ event: 'ready', issuer }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
