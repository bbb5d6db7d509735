"""Published results: pages (included at the root) and API (`api_urlpatterns`, under /api/v1/)."""

app_name = "results"

urlpatterns: list = []
api_urlpatterns: list = []
