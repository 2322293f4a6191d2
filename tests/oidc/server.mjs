// A real OAuth 2 authorization server for the oauth pack's end-to-end tests:
// oidc-provider on a loopback port with dynamic client registration (RFC 7591),
// PKCE S256 required (RFC 7636), rotating refresh tokens, revocation (RFC 7009),
// a test user who signs in by a form post, and RFC 9728 metadata for its
// userinfo endpoint, which serves as the protected resource.
//
//   node tests/oidc/server.mjs [PORT]      prints "listening PORT" when ready
//
// The test user is `smoke` with the password in OIDC_TEST_PASSWORD. Clients:
// `plume-test` (public) and `plume-confidential` (client_secret_post, its
// secret in OIDC_TEST_CLIENT_SECRET; the metadata lists only `none` and
// `client_secret_post`, so a client must choose the method by it).
// OIDC_TEST_FAULTS (comma-separated) switches bugs on, for the pack to catch:
//   no-pkce          authorization requests without PKCE are accepted
//   no-rotation      refresh tokens are not rotated
//   no-registration  dynamic client registration is off
//   leaky-resource   the resource answers 500 quoting a valid access token it
//                    was sent (401 as usual without one); every credential the server hands out (token and
//                    registration answers' fields, the code in a redirect,
//                    cookie values) is printed as a `credential KIND VALUE` line,
//                    for the test to look for in Plume's outputs
// and variants a correct server may have:
//   issuer-slash     the issuer is published with a trailing slash (as Auth0 does)
//   login-at-authorize  the authorization endpoint answers 200 with the sign-in
//                    form itself (as Keycloak does) instead of redirecting to it
//   registration-policy  dynamic registration is listed but refused to an
//                    anonymous caller with 403 insufficient_scope (as Keycloak's
//                    anonymous client registration policies refuse it)

import http from "node:http";
import Provider from "oidc-provider";

const USER = "smoke";
const PASSWORD = process.env.OIDC_TEST_PASSWORD ?? "smoke-password";
const SECRET = process.env.OIDC_TEST_CLIENT_SECRET ?? "plume-confidential-secret";
const FAULTS = new Set((process.env.OIDC_TEST_FAULTS ?? "").split(",").filter(Boolean));

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", resolve));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

// The issuer as the metadata, the tokens and the redirects state it.
const published = FAULTS.has("issuer-slash") ? `${issuer}/` : issuer;

const provider = new Provider(published, {
  clients: [
    {
      client_id: "plume-test",
      token_endpoint_auth_method: "none",
      redirect_uris: [`${issuer}/cb`],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    },
    {
      client_id: "plume-confidential",
      client_secret: SECRET,
      token_endpoint_auth_method: "client_secret_post",
      redirect_uris: [`${issuer}/cb`],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    },
  ],
  clientAuthMethods: ["none", "client_secret_post"],
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: !FAULTS.has("no-registration") },
    registrationManagement: { enabled: !FAULTS.has("no-registration") },
    revocation: { enabled: true },
  },
  pkce: { required: () => !FAULTS.has("no-pkce"), methods: ["S256"] },
  rotateRefreshToken: !FAULTS.has("no-rotation"),
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) =>
    id === USER ? { accountId: id, claims: async () => ({ sub: id }) } : undefined,
  cookies: { keys: ["plume-test-only-cookie-key"] },
});
const callback = provider.callback();

async function form(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

function send(res, status, type, body) {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    return send(res, 200, "text/html",
      `<form method="post"><input name="login"><input name="password" type="password">` +
      `<button>Sign in to ${details.params.client_id}</button></form>`);
  }
  const { login, password } = await form(req);
  if (login !== USER || password !== PASSWORD) {
    return send(res, 401, "text/html", "<p>invalid credentials</p>");
  }
  const grant = new provider.Grant({ accountId: USER, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope ?? "openid");
  const grantId = await grant.save();
  await provider.interactionFinished(
    req, res,
    { login: { accountId: USER }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

// Keycloak's way: the authorization endpoint shows the sign-in form itself.
// The provider's own answer (a redirect to its interaction page) is taken
// from inside, and its page served here with the cookies it set, the form
// posting to the interaction.
async function login_at_authorize(req, res) {
  const inner = await fetch(`${issuer}${req.url}`, {
    redirect: "manual",
    headers: { "x-plume-inner": "1", cookie: req.headers.cookie ?? "" },
  });
  const location = inner.headers.get("location") ?? "";
  if (!location.startsWith("/interaction/")) {
    res.writeHead(inner.status, Object.fromEntries(inner.headers));
    return res.end(Buffer.from(await inner.arrayBuffer()));
  }
  res.writeHead(200, { "content-type": "text/html", "set-cookie": inner.headers.getSetCookie() });
  res.end(
    `<form method="post" action="${location}"><input name="login">` +
    `<input name="password" type="password"><button>Sign in</button></form>`);
}

const CREDENTIAL_FIELDS = ["access_token", "refresh_token", "id_token", "registration_access_token", "client_secret"];

// Prints every credential an answer hands out as a `credential KIND VALUE` line.
function printCredentials(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    const found = [];
    const location = String(res.getHeader("location") ?? "");
    const code = location && new URL(location, issuer).searchParams.get("code");
    if (code) found.push(["code", code]);
    for (const cookie of [res.getHeader("set-cookie") ?? []].flat()) {
      const value = String(cookie).split(";")[0].split("=").slice(1).join("=");
      if (value.length >= 4) found.push(["cookie", value]);
    }
    try {
      const json = JSON.parse(String(chunk ?? ""));
      for (const field of CREDENTIAL_FIELDS) if (typeof json[field] === "string") found.push([field, json[field]]);
    } catch {}
    for (const [kind, value] of found) console.log(`credential ${kind} ${value}`);
    return end(chunk, ...rest);
  };
}

server.on("request", async (req, res) => {
  const path = new URL(req.url, issuer).pathname;
  try {
    if (FAULTS.has("leaky-resource")) {
      const token = (req.headers.authorization ?? "").replace(/^Bearer /i, "");
      if (path === "/me" && token && await provider.AccessToken.find(token)) {
        return send(res, 500, "text/plain", `debug: the token sent was ${token}`);
      }
      printCredentials(res);
    }
    if (FAULTS.has("login-at-authorize") && path === "/auth" && req.method === "GET"
        && !req.headers["x-plume-inner"]) {
      return await login_at_authorize(req, res);
    }
    if (path === "/.well-known/oauth-protected-resource") {
      return send(res, 200, "application/json", JSON.stringify({
        resource: `${issuer}/me`,
        authorization_servers: [published],
        bearer_methods_supported: ["header"],
      }));
    }
    if (path.startsWith("/interaction/")) return await interaction(req, res);
    if (FAULTS.has("registration-policy") && path === "/reg" && req.method === "POST") {
      return send(res, 403, "application/json", JSON.stringify({
        error: "insufficient_scope",
        error_description: "Policy 'Trusted Hosts' rejected request to client-registration " +
          "service. Details: Host not trusted.",
      }));
    }
    return callback(req, res);
  } catch (e) {
    send(res, 500, "text/plain", String(e));
  }
});

console.log(`listening ${port}`);
