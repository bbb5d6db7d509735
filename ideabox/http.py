"""Small pieces of HTTP handling that every app's views share."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """Where to send the user back: the request's `next` if it is a path of
    this site, else `default`.

    Only a path is taken: redirect() would read any other word as the name
    of a view (and fail), and a full URL could send the user elsewhere.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
