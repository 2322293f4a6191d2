"""URLs and views of the test server (see server.py): the toolkit mounted at
/o/ with its RFC 8414 and RFC 9728 documents also at the server root (as its
documentation says to; the RFC 9728 one describes the userinfo endpoint,
which answers a bad token with 401 and a Bearer challenge), Django's login
page, /me (the toolkit's ProtectedResourceView as stock: 403 to a bad
token), and the JWKS endpoint's faults."""

import json
import os

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from jwcrypto import jwk
from oauth2_provider import urls as dot_urls
from oauth2_provider.views import OAuthProtectedResourceMetadataView, ProtectedResourceView

OPTIONS = {o for o in os.environ.get("OAUTH_TEST_OPTIONS", "").split(",") if o}


class Me(ProtectedResourceView):
    def get(self, request, *args, **kwargs):
        return JsonResponse({"sub": request.resource_owner.username})


class ResourceMetadata(OAuthProtectedResourceMetadataView):
    def get_resource(self, request):
        return request.build_absolute_uri("/o/userinfo/")


def jwks_500(request):
    return HttpResponse("JWKS store unavailable", status=500, content_type="text/plain")


# A key of its own, not the one the id_tokens are signed with.
FOREIGN = jwk.JWK.generate(kty="RSA", size=2048)


def jwks_foreign(request):
    data = {"alg": "RS256", "use": "sig", "kid": FOREIGN.thumbprint()}
    data.update(json.loads(FOREIGN.export_public()))
    return JsonResponse({"keys": [data]})


jwks = []
if "jwks-500" in OPTIONS:
    jwks = [path("o/.well-known/jwks.json", jwks_500)]
elif "foreign-key" in OPTIONS:
    jwks = [path("o/.well-known/jwks.json", jwks_foreign)]

urlpatterns = jwks + [
    path("o/", include(dot_urls)),
    path(".well-known/oauth-protected-resource", ResourceMetadata.as_view()),
    path("", include(dot_urls.metadata_urlpatterns)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("me", Me.as_view()),
]
