import re

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from drf_spectacular.views import SpectacularAPIView

from . import views

api_v1 = [
    # The vote first: the hottest address resolves before the others are tried.
    path("", include("votes.api_urls")),
    path("", include("accounts.api_urls")),
    path("campaigns/", include("campaigns.api_urls")),
    path("", include("ideas.api_urls")),
    path("", include("moderation.api_urls")),
    path("", include("jury.api_urls")),
    path("", include("results.api_urls")),
    # Last: any other address under /api/v1/ is a JSON 404, DEBUG or not.
    re_path(r"", views.api_not_found),
]

urlpatterns = [
    # The API first: its calls (the vote above all) then resolve without
    # walking every page's pattern.
    path("api/v1/", include((api_v1, "api"))),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("ideas.urls")),
    path("moderation/", include("moderation.urls")),
    path("", include("votes.urls")),
    path("", include("jury.urls")),
    path("", include("results.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", views.api_docs, name="api-docs"),
    re_path(r"^api/", views.api_not_found),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif getattr(settings, "SERVE_MEDIA", False):
    # The browser tests' server shows the uploads it stored, as production's
    # web server does (static() serves only under DEBUG).
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

handler400 = "ideabox.views.bad_request"
handler403 = "ideabox.views.permission_denied"
handler404 = "ideabox.views.page_not_found"
handler500 = "ideabox.views.server_error"
