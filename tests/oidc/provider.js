// A real OpenID Connect provider (panva's oidc-provider) on a free loopback port, for the tests.
// It prints its issuer, then reads one line: the relying party's redirect URI (known only once
// escalate serve has started). Accounts sign in through the provider's own development login
// pages; the account's email is LOGIN@example.org.
import http from 'node:http';
import readline from 'node:readline';

import Provider from 'oidc-provider';

const server = http.createServer((req, res) => {
  res.statusCode = 503;
  res.end('not ready');
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  process.stdout.write(`issuer ${issuer}\n`);
  const lines = readline.createInterface({ input: process.stdin });
  lines.once('line', (redirectUri) => {
    const provider = new Provider(issuer, {
      clients: [{
        client_id: 'escalate',
        client_secret: process.env.CLIENT_SECRET,
        redirect_uris: [redirectUri.trim()],
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      }],
      claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
      // Put the scopes' claims in the ID token itself, as Entra ID does with optional claims.
      conformIdTokenClaims: false,
      cookies: { keys: ['loopback-test-only'] },
      features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true } },
      ttl: { IdToken: 60 * 10 },
      async findAccount(ctx, id) {
        return {
          accountId: id,
          async claims() {
            return { sub: id, email: `${id}@example.org`, name: id };
          },
        };
      },
    });
    server.removeAllListeners('request');
    server.on('request', provider.callback());
    process.stdout.write('ready\n');
  });
});
