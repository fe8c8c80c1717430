from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from evaluation.tenancy import TENANT_KWARG, resolve_membership


class TenantMiddleware:
    """Resolve ``request.tenant`` and ``request.membership`` once, from the URL.

    API routes authenticate inside DRF (session or basic), so their membership is resolved by
    the API base class with DRF's user; HTML routes need a session and go to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get(TENANT_KWARG)
        if slug is None:
            return None
        if request.path.startswith("/api/"):
            return None  # TenantAPIView.initial() resolves after DRF authentication
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = resolve_membership(request.user, slug)
        except Http404:
            raise
        request.membership = membership
        request.tenant = membership.tenant
        return None
