"""Domain errors: what a service refuses, with a stable code.

Services raise DomainError; the API's exception handler and the HTML views
turn it into the answer the caller gets. The code decides the HTTP status,
so a refusal means the same thing on every path.
"""

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _


class Code(NamedTuple):
    status: int
    meaning: str  # what the code says, in the API's documentation (ideabox.api.refusals)


# Every code the API answers: its HTTP status and what it means. The README's
# error-code table lists them, PRODUCT.md names the core ones; an endpoint's
# documented refusals are generated from here (ideabox.api.refusals).
ERROR_CODES: dict[str, Code] = {
    "invalid": Code(400, _("bad fields (named in `fields`), or a malformed body")),
    "not_authenticated": Code(401, _("no credentials, or a token that is not valid")),
    "authentication_failed": Code(401, _("the credentials are not valid")),
    "permission_denied": Code(403, _("the caller's role does not allow this")),
    "not_allowed": Code(403, _("reserved to the campaign's audience, with a verified e-mail address")),
    "own_idea": Code(403, _("not on one's own idea")),
    "company_sign_in_required": Code(403, _("the address's domain signs in with the company account, not by password")),
    "email_unverified": Code(403, _("the account has no verified e-mail address yet")),
    "not_found": Code(404, _("no such thing, or not visible to the caller")),
    "not_voted": Code(404, _("there is no vote to withdraw")),
    "method_not_allowed": Code(405, _("this method is not allowed here")),
    "not_acceptable": Code(406, _("an Accept header the API cannot answer")),
    "already_voted": Code(409, _("the caller already supports this idea")),
    "vote_limit_reached": Code(409, _("the caller has no vote left in this campaign")),
    "voting_closed": Code(409, _("the campaign is not open for voting")),
    "submission_closed": Code(409, _("the campaign does not take ideas now")),
    "invalid_transition": Code(409, _("not a move the current state allows")),
    "results_not_published": Code(409, _("the results are not published yet")),
    "rules_locked": Code(409, _("votes per voter, audience, anonymity and moderation are fixed once voting opens")),
    "conflict": Code(409, _("already in the state asked for, or changed meanwhile: reload and try again")),
    "unsupported_media_type": Code(415, _("a body in a media type the endpoint does not read")),
    "throttled": Code(429, _("too many requests: wait for `Retry-After` seconds")),
    # the jury (jury/services.py, jury/award_services.py, results/services.py)
    "jury_locked": Code(409, _("the jury's setup is fixed once voting opens")),
    "jury_closed": Code(409, _("scores are given during deliberation, before it ends")),
    "conflict_declared": Code(409, _("the juror declared a conflict of interest on this idea")),
    "already_awarded": Code(409, _("the idea already won another award of this campaign")),
    "awards_undecided": Code(409, _("a jury award is still undecided")),
    "awards_closed": Code(409, _("awards are decided during deliberation only")),
    "already_moved": Code(409, _("the awarded idea was already moved into the idea box")),
    # co-authorship (ideas/coauthorship.py)
    "coauthors_locked": Code(409, _("voting has opened: invitations lapsed, nobody joins or leaves an idea")),
    # the company's entities (accounts/entities.py)
    "entity_in_use": Code(409, _("entities below it, members or ideas still refer to the entity")),
    "invalid_csv": Code(400, _("the file was not imported: `errors` lists each bad line")),
    # answered by ideabox.views.server_error only: a bug, never raised on purpose
    "server_error": Code(500, _("a bug on the server's side: nothing more is said")),
}

STATUS_BY_CODE: dict[str, int] = {code: entry.status for code, entry in ERROR_CODES.items()}

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
