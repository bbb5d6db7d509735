"""The idea pages: a campaign's ideas, the idea box, submit, the idea page,
edit, comments and following. Views check shapes with forms, call one
service, and turn its refusals into form errors or messages."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import entities, roles
from campaigns.models import Campaign, Kind
from ideabox.exceptions import DomainError
from ideabox.pages import htmx_or_redirect, show_refusal

from . import coauthorship, selectors, services, uploads
from .filters import ORDERING_CHOICES, IdeaFilter
from .forms import AttachmentsForm, CommentForm, DescriptionForm, IdeaForm, SimilarForm
from .models import Attachment, Comment, Idea, IdeaFollower, Status

LIST_TARGET = "idea-list"


def _visible_campaigns(request):
    return Campaign.objects.visible_to(request.user)


def _list_context(request, campaign: Campaign, *, default_ordering: str) -> tuple[dict, int]:
    filterset = IdeaFilter(
        request.GET,
        # The page never shows the body: sorting a large campaign moves narrow rows.
        queryset=selectors.listed_ideas(campaign, request.user).defer("body", "hidden_reason", "rejection_reason"),
        campaign=campaign,
        seed=selectors.visitor_seed(request),
        default_ordering=default_ordering,
        request=request,
    )
    valid = filterset.is_valid()
    paginator = selectors.NarrowSortPaginator(filterset.qs, selectors.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    ideas = list(page.object_list)
    Idea.preload_authorship(ideas, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    hidden = selectors.counts_hidden(campaign)
    context = {
        "campaign": campaign,
        "filterset": filterset,
        "filters": filterset.form.cleaned_data if valid else {},
        "ordering": filterset.effective_ordering,
        "ordering_choices": [(v, label) for v, label in ORDERING_CHOICES if not (hidden and v == "most_supported")],
        "status_choices": [(s.value, s.label) for s in _statuses(campaign)],
        "categories": list(campaign.categories.all()),
        "page_obj": page,
        "ideas": ideas,
        "counts_hidden": hidden,
        "query_string": query.urlencode(),
        "list_target": LIST_TARGET,
        "may_submit": services.may_submit(request.user, campaign),
        "accepts_ideas": campaign.accepts_ideas(timezone.now()),
    }
    return context, 200 if valid else 400


def _statuses(campaign: Campaign) -> list[Status]:
    if campaign.is_box:
        return [Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED, Status.REJECTED]
    return [Status.PUBLISHED, Status.SHORTLISTED, Status.AWARDED, Status.NOT_SELECTED]


def _render_list_page(request, template: str, context: dict, status: int):
    if request.htmx and request.htmx.target == LIST_TARGET:
        return render(request, "ideas/_idea_list.html", context, status=status)
    return render(request, template, context, status=status)


@require_GET
def campaign_page(request, slug: str):
    campaign = get_object_or_404(_visible_campaigns(request), slug=slug)
    if campaign.is_box:
        return redirect("ideas:box")
    # Random by default, so that no idea stays buried at the bottom.
    context, status = _list_context(request, campaign, default_ordering=selectors.RANDOM)
    return _render_list_page(request, "ideas/campaign.html", context, status)


def _duration(value) -> str:
    if value is None:
        return ""
    hours = int(value.total_seconds() // 3600)
    if hours >= 48:
        days = round(value.total_seconds() / 86400)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


@require_GET
def box_page(request):
    box = get_object_or_404(_visible_campaigns(request), kind=Kind.BOX)
    # Newest first: the box is worked through as it arrives.
    context, status = _list_context(request, box, default_ordering=selectors.NEWEST)
    if not (request.htmx and request.htmx.target == LIST_TARGET):
        stats = selectors.box_statistics(box)
        share = stats["implemented_share"]
        context["stats"] = stats
        context["implemented_percent"] = None if share is None else round(share * 100, 1)
        context["median_first_answer"] = _duration(stats["median_first_answer"])
        context["status_counts"] = [(Status(s).label, n) for s, n in stats["by_status"]]
        context["entity_choices"] = [(str(e.pk), " › ".join(_entity_names(e))) for e in entities.tree()]
    return _render_list_page(request, "ideas/box.html", context, status)


# --- submit -----------------------------------------------------------------------


def _submit(request, campaign: Campaign):
    try:
        services.check_may_submit(user=request.user, campaign=campaign)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(campaign.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = IdeaForm(request.POST, campaign=campaign)
        attachments = AttachmentsForm(request.POST, request.FILES)
        if form.is_valid() and attachments.is_valid():
            try:
                idea = services.submit_idea(
                    campaign=campaign,
                    author=request.user,
                    attachments=attachments.uploads(),
                    **form.service_arguments(),
                )
            except DomainError as error:
                show_refusal(error, form, attachments, whole={"attachments": attachments})
                status = error.status
            else:
                if idea.approved:
                    messages.success(request, _("Your idea is published. Thank you!"))
                else:
                    messages.success(request, _("Thank you! Your idea will be published once a moderator approves it."))
                return redirect(idea.get_absolute_url())
        else:
            status = 400
    else:
        form = IdeaForm(campaign=campaign)
        attachments = AttachmentsForm()
    form.suggest_similar(_similar_url(campaign))
    context = {"campaign": campaign, "form": form, "attachments_form": attachments}
    return render(request, "ideas/submit.html", context, status=status)


def _similar_url(campaign: Campaign) -> str:
    return reverse("ideas:similar", args=[campaign.slug])


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, slug: str):
    campaign = get_object_or_404(_visible_campaigns(request), slug=slug, kind=Kind.CHALLENGE)
    return _submit(request, campaign)


@login_required
@require_http_methods(["GET", "POST"])
def box_submit(request):
    box = get_object_or_404(_visible_campaigns(request), kind=Kind.BOX)
    return _submit(request, box)


@require_GET
def similar(request, slug: str):
    campaign = get_object_or_404(_visible_campaigns(request), slug=slug)
    form = SimilarForm(request.GET)
    if not form.is_valid():
        # htmx leaves the suggestions as they were on a 4xx answer.
        return render(request, "ideas/_similar.html", {"ideas": [], "asked": False}, status=400)
    text = form.text()
    ideas = services.similar_ideas(
        campaign=campaign, text=text, user=request.user, exclude_id=form.cleaned_data["exclude"]
    )
    return render(request, "ideas/_similar.html", {"ideas": ideas, "asked": bool(selectors.words(text))})


# --- the idea page ----------------------------------------------------------------


def _idea_or_404(request, pk: int):
    idea = selectors.idea_for_page(request.user, pk)
    if idea is None:
        raise Http404
    return idea


def _detail_context(request, idea, *, comment_form: CommentForm | None = None) -> dict:
    user = request.user
    is_moderator = roles.is_moderator(user)
    coauthors = list(idea.coauthors.all())
    shows_author = idea.author_visible_to(user)
    attachments = list(idea.attachments.all())
    takes_comments = idea.is_listed
    return {
        "idea": idea,
        "campaign": idea.campaign,
        "coauthors": coauthors,
        "shows_author": shows_author,
        "entity_names": _entity_names(idea.entity_shown_to(user)),
        "tags": list(idea.tags.all()),
        "images": [a for a in attachments if a.is_image],
        "documents": [a for a in attachments if not a.is_image],
        "counts_hidden": selectors.counts_hidden(idea.campaign),
        "threads": list(selectors.comment_threads(idea)),
        "is_moderator": is_moderator,
        "may_comment": takes_comments and services.may_take_part(user, idea.campaign),
        "takes_comments": takes_comments,
        "comment_form": comment_form or CommentForm(),
        "following": user.is_authenticated and IdeaFollower.objects.filter(idea=idea, user=user).exists(),
        "may_follow": roles.is_participant(user),
        "may_edit": services.may_edit(user, idea),
        **_coauthorship_context(user, idea),
    }


def _entity_names(entity) -> list[str]:
    """The names shown as "Division › Department": the path below the company (one company runs the site)."""
    if entity is None:
        return []
    return [node.name for node in entity.path if node.kind != node.Kind.COMPANY] or [entity.name]


def _coauthorship_context(user, idea) -> dict:
    """The invitee's answer buttons, a co-author's "leave", and for the
    authors only, who is invited and has not answered yet."""
    is_author = idea.has_author(user)
    return {
        "invitation": None if is_author else coauthorship.invitation_of(idea, user),
        "pending_invitees": coauthorship.pending_invitees(idea) if is_author else [],
        "may_leave": user.is_authenticated
        and idea.author_id != user.pk
        and is_author
        and coauthorship.invitations_open(idea.campaign, timezone.now()),
    }


@require_GET
def detail(request, pk: int):
    idea = _idea_or_404(request, pk)
    return render(request, "ideas/detail.html", _detail_context(request, idea))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    idea = _idea_or_404(request, pk)
    try:
        services.check_may_edit(user=request.user, idea=idea)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(idea.get_absolute_url())
    attachments = list(idea.attachments.all())
    left = uploads.MAX_ATTACHMENTS - len(attachments)
    status = 200
    if request.method == "POST":
        form = IdeaForm(request.POST, campaign=idea.campaign)
        new_attachments = AttachmentsForm(request.POST, request.FILES, left=left)
        if form.is_valid() and new_attachments.is_valid():
            try:
                services.edit_idea(
                    idea=idea, by=request.user, attachments=new_attachments.uploads(), **form.service_arguments()
                )
            except DomainError as error:
                show_refusal(error, form, new_attachments, whole={"attachments": new_attachments})
                status = error.status
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(idea.get_absolute_url())
        else:
            status = 400
    else:
        form = IdeaForm(initial=IdeaForm.initial_for(idea), campaign=idea.campaign)
        new_attachments = AttachmentsForm(left=left)
    form.suggest_similar(_similar_url(idea.campaign), exclude_id=idea.pk)
    context = {
        "idea": idea,
        "campaign": idea.campaign,
        "form": form,
        "attachments_form": new_attachments,
        "attachments": attachments,
    }
    return render(request, "ideas/edit.html", context, status=status)


@require_POST
@login_required
def attachment_describe(request, pk: int, attachment_pk: int):
    idea = _idea_or_404(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, idea=idea)
    form = DescriptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["description"]))
        return redirect("ideas:edit", pk=idea.pk)
    try:
        services.describe_attachment(
            attachment=attachment, by=request.user, description=form.cleaned_data["description"]
        )
    except DomainError as error:
        messages.error(request, error.detail)
        # Refused as written: back to the edit page; refused to this person: to the idea.
        return redirect("ideas:edit", pk=idea.pk) if error.code == "invalid" else redirect(idea.get_absolute_url())
    messages.success(request, _("The description of “%(name)s” is saved.") % {"name": attachment.name})
    return redirect("ideas:edit", pk=idea.pk)


@require_POST
@login_required
def attachment_delete(request, pk: int, attachment_pk: int):
    idea = _idea_or_404(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, idea=idea)
    try:
        services.remove_attachment(attachment=attachment, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(idea.get_absolute_url())
    messages.success(request, _("The attachment “%(name)s” is removed.") % {"name": attachment.name})
    return redirect("ideas:edit", pk=idea.pk)


@require_POST
@login_required
def comment(request, pk: int):
    idea = _idea_or_404(request, pk)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        parent = None
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = Comment.objects.filter(idea=idea, pk=parent_id).first()
        if parent_id and parent is None:
            form.add_error(None, _("You can only reply to a visible comment of this idea."))
        else:
            try:
                new = services.add_comment(
                    idea=idea, author=request.user, body=form.cleaned_data["body"], parent=parent
                )
            except DomainError as error:
                show_refusal(error, form)
                status = error.status
            else:
                if request.htmx:
                    idea.refresh_from_db(fields=["comment_count"])
                    context = _detail_context(request, idea)
                    context["announce"] = _("Your comment is posted.")
                    return render(request, "ideas/_comments.html", context)
                messages.success(request, _("Your comment is posted."))
                return redirect(f"{idea.get_absolute_url()}#comment-{new.pk}")
    context = _detail_context(request, idea, comment_form=form)
    if request.htmx:
        # htmx swaps only 2xx answers: the refused form comes back as a 200
        # with its errors (role="alert"); without JavaScript it is a 400 page.
        return render(request, "ideas/_comments.html", context)
    return render(request, "ideas/detail.html", context, status=status)


@require_POST
@login_required
def follow(request, pk: int):
    idea = _idea_or_404(request, pk)
    try:
        if request.POST.get("action") == "unfollow":
            services.unfollow_idea(idea=idea, user=request.user)
        else:
            services.follow_idea(idea=idea, user=request.user)
    except DomainError as error:
        return htmx_or_redirect(
            request,
            fragment=partial(
                render, request, "ideas/_follow.html", {"idea": idea, "error": error.detail, "may_follow": False}
            ),
            to=idea.get_absolute_url(),
            message=error.detail,
            level=messages.ERROR,
        )
    return htmx_or_redirect(request, fragment=lambda: _follow_fragment(request, idea), to=idea.get_absolute_url())


def _follow_fragment(request, idea: Idea):
    idea.refresh_from_db(fields=["follower_count"])
    following = IdeaFollower.objects.filter(idea=idea, user=request.user).exists()
    return render(request, "ideas/_follow.html", {"idea": idea, "following": following, "may_follow": True})


# --- co-authorship ------------------------------------------------------------------


@require_GET
@login_required
def invitations(request):
    """The invitations to co-author that wait for this person's answer."""
    rows = list(coauthorship.pending_invitations(request.user))
    for row in rows:
        # An anonymous idea's authors stay unnamed until the invitee joins them.
        row.shows_inviter = row.idea.author_visible_to(request.user)
    return render(request, "ideas/invitations.html", {"invitations": rows})
