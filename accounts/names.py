"""Names people choose for themselves must not pose as staff.

A participant who calls themselves "Ada Admin" (or "ＡＤＡ admin", or "Ada
Admin" with a right-to-left mark in it) looks like the administrator beside
a comment. A self-chosen name is refused when, compared as `normalise` does,
it equals the display name, username or full name of a staff member
(moderator, campaign manager, administrator; accounts.roles.staff_members)
other than the person themselves. The full name counts as well: it is how
colleagues know a staff member, even where the site shows another name.

Only names people type go through `refuse_staff_name`: the profile page and
`PATCH /api/v1/me/` (services.update_profile) and the username chosen at
sign-up (forms.SignupForm). Names that come from the company's identity
provider are the company's word for who someone is and are never refused:
whatever sets them must not call this.
"""

import unicodedata

from django.utils.translation import gettext as _

from ideabox.exceptions import DomainError

from . import roles


def normalise(name: str) -> str:
    """`name` as it is compared: NFKC (compatibility forms such as full-width
    letters folded), case-folded, without invisible format characters
    (bidirectional controls, zero-width spaces and joiners, soft hyphens:
    Unicode category Cf) and with its spaces collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    return " ".join(visible.split())


def refuse_staff_name(name: str, *, user=None, field: str = "display_name") -> None:
    """Raise `invalid` (naming `field`) when `name` would pass for a staff
    member's name; `user` (the one choosing it) may keep their own."""
    wanted = normalise(name)
    if not wanted:
        return
    for member in roles.staff_members().values():
        if user is not None and member.pk == user.pk:
            continue
        if wanted in {normalise(member.display_name), normalise(member.username), normalise(member.full_name)}:
            message = _("This name is too close to the name of a member of staff: please choose another one.")
            raise DomainError("invalid", message, fields={field: [message]})
