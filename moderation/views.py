"""Moderation pages: the queue, the log, the reviewers' page, and the POST
endpoints behind every moderation and review button.

Each action answers three ways:
- htmx from an idea page (`where=idea`): the refreshed `moderation/_idea_panel.html`;
- htmx from the queue or the reviewers' page: their lists drawn again (the
  item handled has left its list, or moved to another, and the headings give
  the new counts), the result said in the page's live region (out of band);
  a refusal: its errors in the item's own live region;
- a plain POST: a message and a redirect to `next` (or the idea), or, when
  refused, the action's own page with the errors and the refusal's status.
A GET of an action address shows that page with an empty form, the no-script
way in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import roles
from ideabox.exceptions import DomainError
from ideabox.http import safe_next
from ideabox.pages import htmx_or_redirect, show_refusal
from ideas import review
from ideas.models import Idea

from . import services as moderation
from .forms import LogFilterForm, MergeForm, OptionalReasonForm, ReasonForm, ReportForm, ReviewForm

PAGE_SIZE = 20
RECENTLY_HIDDEN_SHOWN = 20


def _require_moderator(request) -> None:
    if not roles.is_moderator(request.user):
        raise PermissionDenied


def _page(params, queryset, param: str = "page"):
    return Paginator(queryset, PAGE_SIZE).get_page(params.get(param))


# --- pages -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def queue(request):
    _require_moderator(request)
    return render(request, "moderation/queue.html", _queue_context(request.user, request.GET))


def _queue_context(user, params) -> dict:
    """The queue's lists, at the pages `params` ask for."""
    return {
        "reports": _page(params, moderation.open_reports(user=user), "page"),
        "approvals": _page(params, moderation.awaiting_approval(user=user), "approval_page"),
        "hidden_ideas": list(moderation.recently_hidden_ideas(user=user)[:RECENTLY_HIDDEN_SHOWN]),
        "hidden_comments": list(moderation.recently_hidden_comments(user=user)[:RECENTLY_HIDDEN_SHOWN]),
        "recent_days": moderation.RECENTLY_HIDDEN_DAYS,
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def log(request):
    _require_moderator(request)
    form = LogFilterForm(request.GET)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    entries = _page(request.GET, moderation.moderation_log(user=request.user, action=action))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "entries": entries, "filter_query": query.urlencode()}
    return render(request, "moderation/log.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD"])
def box(request):
    _require_moderator(request)
    return render(request, "moderation/box.html", _box_context(request.user, request.GET))


def _box_context(user, params) -> dict:
    return {"ideas": _page(params, review.awaiting_review(user=user)), "now": timezone.now()}


# --- actions ---------------------------------------------------------------------


def _no_initial(params) -> None:
    return None


@dataclass(frozen=True)
class Action:
    name: str
    form: type[forms.Form]
    title: str
    button: str
    done: str
    run: Callable
    # Who may open the action's page (GET): moderators, unless it is a report.
    may_open: Callable = roles.is_moderator
    # The form's initial values from the page's address (GET).
    initial: Callable = _no_initial


def _merge(request, idea, data):
    target = moderation.merge_target(user=request.user, pk=data["target"])
    return moderation.merge_idea(source=idea, target=target, by=request.user, reason=data["reason"])


IDEA_ACTIONS = {
    "report_idea": Action(
        "report_idea",
        ReportForm,
        gettext_lazy("Report this idea"),
        gettext_lazy("Send the report"),
        gettext_lazy("Thank you: a moderator will look at your report."),
        lambda request, idea, data: moderation.report_idea(reporter=request.user, target=idea, reason=data["reason"]),
        may_open=roles.is_participant,
    ),
    "hide_idea": Action(
        "hide_idea",
        ReasonForm,
        gettext_lazy("Hide this idea"),
        gettext_lazy("Hide"),
        gettext_lazy("The idea is hidden."),
        lambda request, idea, data: moderation.hide_idea(idea=idea, by=request.user, reason=data["reason"]),
    ),
    "restore_idea": Action(
        "restore_idea",
        OptionalReasonForm,
        gettext_lazy("Restore this idea"),
        gettext_lazy("Restore"),
        gettext_lazy("The idea is visible again."),
        lambda request, idea, data: moderation.restore_idea(idea=idea, by=request.user, reason=data["reason"]),
    ),
    "approve": Action(
        "approve",
        OptionalReasonForm,
        gettext_lazy("Approve this idea"),
        gettext_lazy("Approve"),
        gettext_lazy("The idea is approved and published."),
        lambda request, idea, data: moderation.approve_idea(idea=idea, by=request.user, reason=data["reason"]),
    ),
    "merge": Action(
        "merge",
        MergeForm,
        gettext_lazy("Merge this idea into another"),
        gettext_lazy("Merge"),
        gettext_lazy("The idea is merged: its comments, followers and votes moved."),
        _merge,
    ),
    "review": Action(
        "review",
        ReviewForm,
        gettext_lazy("Change the status of this idea"),
        gettext_lazy("Change the status"),
        gettext_lazy("The status is changed; the author will be told."),
        lambda request, idea, data: review.change_status(
            idea=idea, to=data["status"], by=request.user, reason=data["reason"]
        ),
        initial=lambda params: {"status": params.get("status", "")},
    ),
}

COMMENT_ACTIONS = {
    "report_comment": Action(
        "report_comment",
        ReportForm,
        gettext_lazy("Report this comment"),
        gettext_lazy("Send the report"),
        gettext_lazy("Thank you: a moderator will look at your report."),
        lambda request, comment, data: moderation.report_comment(
            reporter=request.user, target=comment, reason=data["reason"]
        ),
        may_open=roles.is_participant,
    ),
    "hide_comment": Action(
        "hide_comment",
        ReasonForm,
        gettext_lazy("Hide this comment"),
        gettext_lazy("Hide"),
        gettext_lazy("The comment is hidden."),
        lambda request, comment, data: moderation.hide_comment(comment=comment, by=request.user, reason=data["reason"]),
    ),
    "restore_comment": Action(
        "restore_comment",
        OptionalReasonForm,
        gettext_lazy("Restore this comment"),
        gettext_lazy("Restore"),
        gettext_lazy("The comment is visible again."),
        lambda request, comment, data: moderation.restore_comment(
            comment=comment, by=request.user, reason=data["reason"]
        ),
    ),
}

DISMISS = Action(
    "dismiss",
    OptionalReasonForm,
    gettext_lazy("Dismiss this report"),
    gettext_lazy("Dismiss"),
    gettext_lazy("The report is dismissed."),
    lambda request, report, data: moderation.dismiss_report(report=report, by=request.user, reason=data["reason"]),
)


def perform_action(request, *, action: Action, obj, idea: Idea, summary: str):
    """Validate, call the service, answer the way the caller asked."""
    where = request.POST.get("where") or request.GET.get("where") or ""
    if request.method != "POST":
        if not action.may_open(request.user):
            raise PermissionDenied
        form = action.form(initial=action.initial(request.GET))
        return _action_page(request, action, form, obj, idea, summary, where)

    form = action.form(request.POST)
    status = 400
    if form.is_valid():
        try:
            action.run(request, obj, form.cleaned_data)
        except DomainError as error:
            if error.code == "not_found":
                raise Http404 from error
            status = error.status
            show_refusal(error, form)
        else:
            return _success(request, action, obj, idea, where)
    return _refused(request, action, form, obj, idea, summary, where, status)


def _fresh_idea(request, idea: Idea) -> Idea | None:
    return Idea.objects.visible_to(request.user).select_related("campaign", "author").filter(pk=idea.pk).first()


# The pages whose lists an htmx action draws again: where=… → (the list's
# template and id, its context).
LISTS = {
    "queue": ("moderation/_queue.html", "queue", _queue_context),
    "box": ("moderation/_box.html", "box-queue", _box_context),
}


def _list_result(request, where: str, message: str):
    """The page's lists drawn again, at the pages its address asks for (the
    form's `next`), and the result in the page's live region, out of band."""
    template, list_id, make_context = LISTS[where]
    params = QueryDict(urlsplit(safe_next(request, "")).query)
    context = {**make_context(request.user, params), "list_template": template, "message": message}
    response = render(request, "moderation/_list_result.html", context)
    response["HX-Retarget"] = f"#{list_id}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _success(request, action: Action, obj, idea: Idea, where: str):
    message = str(action.done)

    def fragment():
        if where == "idea":
            fresh = _fresh_idea(request, idea)
            if fresh is not None:
                return render(request, "moderation/_idea_panel.html", {"idea": fresh, "moderation_message": message})
        if where in LISTS:
            return _list_result(request, where, message)
        return render(request, "moderation/_result.html", {"message": message, "ok": True})

    return htmx_or_redirect(request, fragment=fragment, to=safe_next(request, idea.get_absolute_url()), message=message)


def _refused(request, action, form, obj, idea, summary, where, status):
    if request.htmx:
        errors = [str(e) for e in form.non_field_errors()] + [
            f"{form.fields[name].label}: {e}" for name, errs in form.errors.items() if name != "__all__" for e in errs
        ]
        if where == "idea":
            fresh = _fresh_idea(request, idea) or idea
            context = {"idea": fresh, "moderation_errors": errors, "moderation_failed": action.name}
            return render(request, "moderation/_idea_panel.html", context, status=status)
        return render(request, "moderation/_result.html", {"errors": errors, "ok": False}, status=status)
    return _action_page(request, action, form, obj, idea, summary, where, status=status)


def _action_page(request, action, form, obj, idea, summary, where, status=200):
    context = {
        "action": action,
        "form": form,
        "obj": obj,
        "idea": idea,
        "summary": summary,
        "where": where,
        "next": safe_next(request, ""),
        "form_url": request.path,
    }
    return render(request, "moderation/action.html", context, status=status)


def _idea_action(name: str):
    action = IDEA_ACTIONS[name]

    @login_required
    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request, pk: int):
        idea = get_object_or_404(Idea.objects.visible_to(request.user).select_related("campaign"), pk=pk)
        return perform_action(request, action=action, obj=idea, idea=idea, summary=idea.title)

    view.__name__ = name
    return view


def _comment_action(name: str):
    action = COMMENT_ACTIONS[name]

    @login_required
    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request, pk: int):
        comment = get_object_or_404(moderation.visible_comments(request.user).select_related("idea__campaign"), pk=pk)
        return perform_action(request, action=action, obj=comment, idea=comment.idea, summary=comment.body)

    view.__name__ = name
    return view


report_idea = _idea_action("report_idea")
hide_idea = _idea_action("hide_idea")
restore_idea = _idea_action("restore_idea")
approve = _idea_action("approve")
merge = _idea_action("merge")
review_status = _idea_action("review")
report_comment = _comment_action("report_comment")
hide_comment = _comment_action("hide_comment")
restore_comment = _comment_action("restore_comment")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dismiss(request, pk: int):
    _require_moderator(request)
    report = get_object_or_404(
        moderation.reports_visible_to(request.user).select_related("idea__campaign", "comment__idea__campaign"),
        pk=pk,
    )
    idea = report.idea or report.comment.idea
    summary = report.reason
    return perform_action(request, action=DISMISS, obj=report, idea=idea, summary=summary)
