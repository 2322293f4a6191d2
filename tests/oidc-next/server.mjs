// The newest oidc-provider major (pinned by package-lock.json) as stock as it
// comes, for the oauth pack's end-to-end tests: its own development
// interactions (a login page, then a consent page, each a form with hidden
// fields posting to its `action`), its default refresh-token policy (rotation
// for public clients only, refresh tokens only with offline_access and
// prompt=consent), dynamic client registration (RFC 7591/7592), revocation
// (RFC 7009), and RFC 9728 metadata for its userinfo endpoint, which serves
// as the protected resource.
//
//   node tests/oidc-next/server.mjs [PORT]      prints "listening PORT" when ready
//
// Any login signs in (the stock interactions check no password). Clients:
// `plume-test` (public) and `plume-confidential` (client_secret_basic, its
// secret in OIDC_TEST_CLIENT_SECRET).
// OIDC_TEST_FAULTS (comma-separated) switches bugs on, for the pack to catch:
//   no-registration  dynamic client registration is off
//   no-revocation    the revocation endpoint is off

import http from "node:http";
import Provider from "oidc-provider";

const SECRET = process.env.OIDC_TEST_CLIENT_SECRET ?? "plume-confidential-secret";
const FAULTS = new Set((process.env.OIDC_TEST_FAULTS ?? "").split(",").filter(Boolean));

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", resolve));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

const grantTypes = ["authorization_code", "refresh_token"];
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "plume-test",
      token_endpoint_auth_method: "none",
      redirect_uris: [`${issuer}/cb`],
      grant_types: grantTypes,
      response_types: ["code"],
    },
    {
      client_id: "plume-confidential",
      client_secret: SECRET,
      token_endpoint_auth_method: "client_secret_basic",
      redirect_uris: [`${issuer}/cb`],
      grant_types: grantTypes,
      response_types: ["code"],
    },
  ],
  features: {
    registration: { enabled: !FAULTS.has("no-registration") },
    registrationManagement: { enabled: !FAULTS.has("no-registration") },
    revocation: { enabled: !FAULTS.has("no-revocation") },
  },
  cookies: { keys: ["plume-test-only-cookie-key"] },
});
const callback = provider.callback();

server.on("request", (req, res) => {
  const path = new URL(req.url, issuer).pathname;
  if (path === "/.well-known/oauth-protected-resource") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({
      resource: `${issuer}/me`,
      authorization_servers: [issuer],
      bearer_methods_supported: ["header"],
    }));
  }
  return callback(req, res);
});

console.log(`listening ${port}`);
