"""URL map: the admin console, the REST API v1 and its schema/docs (core.api.docs)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from console import views as console_views
from conversations import views as conversation_views
from core.api.docs import RedocView, SchemaView, SwaggerView
from flows import health

admin.site.site_header = "Casework console"
admin.site.site_title = "Casework"
admin.site.index_title = "Home"

urlpatterns = [
    path("admin/cases/case/<int:case_id>/sop/", include("flows.console")),
    path("admin/cases/case/<int:case_id>/messages/", include("conversations.urls")),
    path(
        "admin/dashboard/",
        admin.site.admin_view(console_views.dashboard),
        name="console-dashboard",
    ),
    path(
        "admin/saved-views/",
        admin.site.admin_view(console_views.save_view),
        name="console-save-view",
    ),
    path(
        "admin/saved-views/<int:view_id>/remove/",
        admin.site.admin_view(console_views.remove_view),
        name="console-remove-view",
    ),
    path(
        "admin/time-zone/",
        admin.site.admin_view(console_views.time_zone),
        name="console-time-zone",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("health/clocks/", health.clocks, name="clock-health"),
    path("csat/<str:token>/", conversation_views.csat_page, name="csat"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    # Browsers ask for /favicon.ico whatever the page says: the console's icon, not a 404.
    path("favicon.ico", console_views.Favicon.as_view(), name="favicon"),
    path("", include("cases.urls")),
]

# Providers' inbound mail webhooks, only once a secret guards them (config.settings.ANYMAIL).
if settings.ANYMAIL:
    urlpatterns.insert(0, path("anymail/", include("anymail.urls")))

handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
