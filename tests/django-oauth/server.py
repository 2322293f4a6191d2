"""A real Django OAuth Toolkit server for the oauth pack's end-to-end tests.

Django OAuth Toolkit (pinned in tests/tools-requirements.txt) with its stock
settings and OpenID Connect on (an RSA key made at start), on a loopback port:
Django's own login page (LoginView, a form with a CSRF token), the toolkit's
consent page (its "Authorize" button is named `allow`), PKCE required,
rotating refresh tokens, revocation (listed only in its RFC 8414 document, as
the toolkit publishes it), its RFC 9728 document, and a protected resource
made with the toolkit's ProtectedResourceView (which answers a bad token with
403, as stock).

    python3 tests/django-oauth/server.py [PORT]   prints "listening PORT" when ready

The issuer is http://127.0.0.1:PORT/o. The test user is `smoke` with the
password in OAUTH_TEST_PASSWORD. Clients: `plume-test` (public) and
`plume-confidential` (client_secret_basic or _post, its secret in
OAUTH_TEST_CLIENT_SECRET), both RS256 for id_tokens.
OAUTH_TEST_OPTIONS (comma-separated) picks variants a correct server may have:
  no-consent       the clients skip the consent page (skip_authorization)
  registration     dynamic registration listed, refused to anonymous callers
                   by the stock policy (an authenticated session is needed)
  refresh-grace    a rotated-out refresh token still works for 60 s (the
                   toolkit's REFRESH_TOKEN_GRACE_PERIOD_SECONDS; Keycloak keeps
                   the old token valid unless "Revoke Refresh Token" is on)
and faults, for the pack to catch:
  no-pkce          PKCE is not required (PKCE_REQUIRED off)
  jwks-500         the JWKS endpoint answers 500
  foreign-key      id_tokens are signed with a key the JWKS does not list
"""

import json
import os
import socketserver
import sys
import tempfile
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

USER = "smoke"
PASSWORD = os.environ.get("OAUTH_TEST_PASSWORD", "smoke-password")
SECRET = os.environ.get("OAUTH_TEST_CLIENT_SECRET", "plume-confidential-secret")
OPTIONS = {o for o in os.environ.get("OAUTH_TEST_OPTIONS", "").split(",") if o}
HERE = os.path.dirname(os.path.abspath(__file__))


class Threaded(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def configure(port):
    from django.conf import settings

    issuer = f"http://127.0.0.1:{port}/o"
    provider = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": pem(),
        "OIDC_ISS_ENDPOINT": issuer,
        "SCOPES": {"openid": "OpenID Connect", "read": "Read your profile"},
        "PKCE_REQUIRED": "no-pkce" not in OPTIONS,
        "DCR_ENABLED": "registration" in OPTIONS,
    }
    if "refresh-grace" in OPTIONS:
        provider["REFRESH_TOKEN_GRACE_PERIOD_SECONDS"] = 60
    settings.configure(
        DEBUG=False,
        SECRET_KEY="plume-test-only-django-key",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF="app",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.path.join(tempfile.mkdtemp(prefix="plume-dot-"), "db.sqlite3"),
            }
        },
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [os.path.join(HERE, "templates")],
                "APP_DIRS": True,
                "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            }
        ],
        LOGIN_URL="/accounts/login/",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        USE_TZ=True,
        OAUTH2_PROVIDER=provider,
    )
    return issuer


def populate(port):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(USER, password=PASSWORD)
    common = {
        "user": user,
        "redirect_uris": f"http://127.0.0.1:{port}/cb",
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "skip_authorization": "no-consent" in OPTIONS,
        "algorithm": Application.RS256_ALGORITHM,
    }
    Application.objects.create(
        client_id="plume-test", name="plume test", client_type=Application.CLIENT_PUBLIC, **common
    )
    Application.objects.create(
        client_id="plume-confidential",
        client_secret=SECRET,
        name="plume confidential",
        client_type=Application.CLIENT_CONFIDENTIAL,
        **common,
    )


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    sys.path.insert(0, HERE)
    server = make_server("127.0.0.1", port, None, server_class=Threaded, handler_class=Quiet)
    port = server.server_port
    configure(port)
    import django

    django.setup()
    populate(port)
    from django.core.wsgi import get_wsgi_application

    server.set_app(get_wsgi_application())
    print(f"listening {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
