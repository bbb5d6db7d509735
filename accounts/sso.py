"""Company sign-in at run time: which providers there are, which e-mail
domains they serve, and how recent a company sign-in must be to make an
employee. The configuration itself is read by accounts.sso_config."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def providers() -> list[dict]:
    """The configured identity providers (accounts.sso_config's entries)."""
    return settings.SSO_PROVIDERS


def provider(provider_id: str) -> dict | None:
    return next((entry for entry in providers() if entry["id"] == provider_id), None)


def company_domains() -> frozenset[str]:
    """The e-mail domains served by company sign-in."""
    return frozenset(domain for entry in providers() for domain in entry["domains"])


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def provider_for_address(address: str) -> dict | None:
    """The provider that serves this address's domain, if any."""
    domain = email_domain(address)
    return next((entry for entry in providers() if domain in entry["domains"]), None)


def is_company_address(address: str) -> bool:
    """True when the address may not log in by password (its domain is
    served by company sign-in)."""
    return provider_for_address(address) is not None


def employee_cutoff(now: datetime | None = None) -> datetime:
    """A company sign-in after this moment makes an employee."""
    return (now or timezone.now()) - timedelta(days=settings.SSO_EMPLOYEE_MAX_AGE_DAYS)
