"""The results pages: the published results, the managers' CSV, and the
managers' move of an awarded idea into the idea box (its button is on the
award page, /campaigns/<slug>/jury/awards/). The API is in results/api.py.

Everything starts from the campaigns the caller may see (anything else is
a 404). Before publication the page says when the jury deliberates until
(200) and the CSV is a 404.
"""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ideabox.exceptions import DomainError

from . import selectors, services

# --- the page ----------------------------------------------------------------------------


@require_GET
def results_page(request, slug: str):
    campaign = selectors.results_campaign(slug, request.user)
    if not selectors.is_published(campaign):
        return render(request, "results/pending.html", {"campaign": campaign, "tally": campaign.stored_tally})
    published = selectors.published_results(campaign, request.user)
    context = {
        "campaign": campaign,
        "results": published,
        "chart": selectors.results_chart(published),
        "tally": published.tally,
        "may_download": selectors.may_download(request.user),
    }
    return render(request, "results/page.html", context)


# --- the managers' CSV -----------------------------------------------------------------------


@require_GET
def results_csv(request, slug: str):
    """The published ranking for managers, named as on the results page (an
    anonymous idea's authors never). A 404 for everyone else and before
    publication."""
    if not selectors.may_download(request.user):
        raise Http404
    campaign = selectors.results_campaign(slug, request.user)
    if not selectors.is_published(campaign):
        raise Http404
    published = selectors.published_results(campaign, request.user)
    buffer = io.StringIO()
    # The byte-order mark lets spreadsheets read the accents as UTF-8.
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(selectors.csv_rows(published))
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-results.csv"'
    return response


# --- moving an awarded idea into the idea box ----------------------------------------------


@require_POST
def move_to_box(request, slug: str, idea_id: int):
    idea = selectors.box_move_target(slug, idea_id, request.user)
    try:
        transfer = services.move_to_box(idea=idea, by=request.user)
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.detail)
    else:
        messages.success(
            request, _("“%(idea)s” is now in the idea box, under review.") % {"idea": transfer.box_idea.title}
        )
    return redirect("jury:awards", slug=slug)
