import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from campaigns import lifecycle
from campaigns.models import Campaign
from ideas.services import may_take_part

from . import outbox
from .api import error_body
from .celery import app as celery_app
from .models import Heartbeat

log = logging.getLogger(__name__)


# The live campaigns the home page lists; "All campaigns" leads to the others.
HOME_LIVE_CAMPAIGNS = 6


def home(request):
    """The site's front page: the campaigns live now for this visitor and,
    signed in, what they can do next (where a newly verified user lands)."""
    user = request.user
    live = list(Campaign.objects.visible_to(user).live()[:HOME_LIVE_CAMPAIGNS])
    context = {"live_campaigns": live}
    if user.is_authenticated:
        # The live campaigns this person may take part in: vote in, or submit to.
        now = timezone.now()
        open_to_them = [campaign for campaign in live if may_take_part(user, campaign)]
        context["vote_in"] = [campaign for campaign in open_to_them if campaign.accepts_votes(now)]
        context["submit_to"] = [campaign for campaign in open_to_them if campaign.accepts_ideas(now)]
    return render(request, "home.html", context)


def api_docs(request):
    return render(request, "api/docs.html")


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy", reported as such
        log.warning("healthz: database check failed: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker() -> dict:
    try:
        with celery_app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            _name, pending, consumers = conn.default_channel.queue_declare(queue=queue, passive=False, durable=True)
    except Exception as exc:  # any failure means "not healthy", reported as such
        log.warning("healthz: broker check failed: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "transport": conn.transport_cls, "pending_tasks": pending}


def _worker() -> dict:
    beat = Heartbeat.objects.filter(pk=1).first()
    if beat is None:
        return {"last_heartbeat": None, "stale": True}
    age = (timezone.now() - beat.received_at).total_seconds()
    return {
        "last_heartbeat": beat.received_at.isoformat(),
        "heartbeat_age_seconds": round(age, 1),
        "queue_lag_seconds": round(max(beat.lag_seconds, 0.0), 3),
        "stale": age > settings.HEALTHZ_HEARTBEAT_STALE_SECONDS,
    }


def _work() -> dict:
    """Work due for longer than HEALTHZ_OVERDUE_SECONDS: tallies,
    publications, and tasks the broker has not taken (ideabox.outbox)."""
    now = timezone.now()
    after = timedelta(seconds=settings.HEALTHZ_OVERDUE_SECONDS)
    found = {**lifecycle.overdue_work(now=now, after=after), "outbox": outbox.backlog(now=now, older_than=after)}
    ok = not any(part["overdue"] for part in found.values())
    return {"ok": ok, "overdue_after_seconds": settings.HEALTHZ_OVERDUE_SECONDS, **found}


@never_cache
@require_safe
def healthz(request):
    """Database, broker, queue lag and overdue work, as JSON.

    503 when the database or the broker cannot be reached: this process
    cannot do its work. A stale worker heartbeat and overdue work are
    reported (`"ok": false` in their part) but keep 200: taking the web
    processes out of rotation would not bring a worker back.
    """
    database = _database()
    broker = _broker()
    worker = _worker() if database["ok"] else {"last_heartbeat": None, "stale": True}
    ok = database["ok"] and broker["ok"]
    body = {"status": "ok" if ok else "error", "database": database, "broker": broker, "worker": worker}
    if database["ok"]:
        body["work"] = _work()
    return JsonResponse(body, status=200 if ok else 503)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("invalid", _("The request is not valid.")), status=400)
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("permission_denied", _("You do not have permission to do this.")), status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form refused for its CSRF token (expired, sent from elsewhere, no
    cookie). The API's views are exempt: DRF checks the token itself."""
    return render(request, "403.html", {"csrf_failure": True}, status=403)


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return render(request, "404.html", status=404)


@csrf_exempt  # a 404 for every method, not a CSRF refusal
def api_not_found(request, *args, **kwargs):
    """Every address under /api/ that no endpoint answers: a JSON 404.

    A URL pattern rather than handler404 alone, because with DEBUG on Django
    answers an unknown address with its HTML debug page, never the handler.
    An endpoint's address typed without its final slash is redirected for a
    read, as APPEND_SLASH would (this pattern matches it first), and named
    in the 404 of a write, which cannot be redirected.
    """
    if not request.path_info.endswith("/"):
        slashed = request.path_info + "/"
        try:
            match = resolve(slashed)
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            if request.method in ("GET", "HEAD"):
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
            detail = _("Not found. This address ends with a slash: %(address)s") % {"address": slashed}
            return JsonResponse(error_body("not_found", detail), status=404)
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
    return render(request, "500.html", status=500)
