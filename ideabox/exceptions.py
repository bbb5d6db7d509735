"""Domain errors: what a service refuses, with a stable code.

Services raise DomainError; the API's exception handler and the HTML views
turn it into the answer the caller gets. The code decides the HTTP status,
so a refusal means the same thing on every path.
"""

from django.utils.translation import gettext_lazy as _

# code -> HTTP status, as the API conventions in PRODUCT.md list them.
STATUS_BY_CODE: dict[str, int] = {
    "invalid": 400,
    "not_authenticated": 401,
    "authentication_failed": 401,
    "permission_denied": 403,
    "not_allowed": 403,
    "own_idea": 403,
    "not_found": 404,
    "not_voted": 404,
    "method_not_allowed": 405,
    "not_acceptable": 406,
    "already_voted": 409,
    "vote_limit_reached": 409,
    "voting_closed": 409,
    "submission_closed": 409,
    "invalid_transition": 409,
    "results_not_published": 409,
    "rules_locked": 409,  # votes_per_voter, audience, anonymity, moderation: fixed once voting opens
    "conflict": 409,
    "unsupported_media_type": 415,
    "throttled": 429,
    # the jury (jury/services.py, jury/awards.py, jury/publication.py)
    "jury_locked": 409,  # the jury's setup is fixed once voting opens
    "jury_closed": 409,  # scores are given during deliberation, before it ends
    "conflict_declared": 409,  # the juror declared a conflict of interest on this idea
    "already_awarded": 409,  # the idea already won another award of this campaign
    "awards_undecided": 409,  # leaving deliberation with a jury award still undecided
    "awards_closed": 409,  # awards are decided during deliberation only
    "already_moved": 409,  # the awarded idea was already moved into the idea box
    # co-authorship (ideas/coauthorship.py)
    "coauthors_locked": 409,  # voting has opened: invitations lapsed, nobody joins or leaves an idea
    # answered by ideabox.views.server_error only: a bug, never raised on purpose
    "server_error": 500,
}

DEFAULT_DETAIL: dict[str, str] = {
    "invalid": _("The request is not valid."),
    "not_authenticated": _("Authentication credentials were not provided."),
    "authentication_failed": _("The credentials are not valid."),
    "permission_denied": _("You do not have permission to do this."),
    "not_allowed": _("This is reserved to its audience, with a verified e-mail address."),
    "not_found": _("Not found."),
    "method_not_allowed": _("This method is not allowed here."),
    "throttled": _("Too many requests: please wait and try again."),
}


class DomainError(Exception):
    """A refusal by a service. Nothing was changed."""

    def __init__(self, code: str, detail: str | None = None, *, fields: dict | None = None):
        if code not in STATUS_BY_CODE:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.detail = detail if detail is not None else DEFAULT_DETAIL.get(code, code)
        self.fields = fields
        super().__init__(f"{code}: {self.detail}")

    @property
    def status(self) -> int:
        return STATUS_BY_CODE[self.code]
