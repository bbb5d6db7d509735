from django.conf import settings


def site(request):
    """`site_name` in every template: the configured SITE_NAME (default Ideabox)."""
    return {"site_name": settings.SITE_NAME}
