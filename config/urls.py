from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from evaluation import views as evaluation_views

TENANT = "t/<slug:tenant_slug>/"
API_TENANT = "api/t/<slug:tenant_slug>/"


class SchemaView(SpectacularAPIView):
    kaoping_public = True


class SwaggerView(SpectacularSwaggerSplitView):
    kaoping_public = True


urlpatterns = [
    path("", evaluation_views.home, name="home"),
    path("accounts/login/", evaluation_views.login_view, name="login"),
    path("accounts/logout/", evaluation_views.logout_view, name="logout"),
    path(
        "accounts/password/",
        evaluation_views.KaopingPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        evaluation_views.KaopingPasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("p/", include("surveys.public_urls")),
    path(TENANT, include("evaluation.urls")),
    path(TENANT + "year/", include("evaluation.urls_year")),
    path(TENANT + "scheme/", include("indicators.urls")),
    path(TENANT + "surveys/", include("surveys.urls")),
    path(TENANT + "inspections/", include("inspections.urls")),
    path(TENANT + "reports/", include("reporting.urls")),
    path(API_TENANT, include("evaluation.api.urls")),
    path(API_TENANT, include("evaluation.api.urls_year")),
    path(API_TENANT, include("indicators.api.urls")),
    path(API_TENANT, include("surveys.api.urls")),
    path(API_TENANT, include("inspections.api.urls")),
    path(API_TENANT, include("reporting.api.urls")),
]
