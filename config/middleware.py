"""Security headers shared by every response."""

from django.conf import settings

# No inline script anywhere: pages load their code from /static/ (healthchecks' habit).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Swagger UI (sidecar) needs its own inline bootstrap; it is only served at /api/docs/.
        if not request.path.startswith("/api/docs/") and not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Referrer-Policy", "same-origin")
        if getattr(settings, "PRODUCTION", False):
            response.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        return response


class ChineseByDefaultMiddleware:
    """Simplified Chinese unless the person picked another language (cookie set by set_language).

    Browsers on government desktops often send ``Accept-Language: en``; the product's default is
    still Chinese, so the header is not consulted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
