from ideabox.http import client_address

from .services import acting_from


class AuditAddressMiddleware:
    """Make the request's client address (proxy-aware, as the rate limits
    read it) what the audit events written during the request carry, without
    every service taking the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_from(client_address(request)):
            return self.get_response(request)
