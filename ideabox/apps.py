from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeaboxConfig(AppConfig):
    name = "ideabox"
    verbose_name = _("Operations")
