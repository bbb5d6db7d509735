"""The Content Security Policy lets the company button's form go on to the
identity provider: browsers apply form-action to the redirect after a form,
and without the provider's origin the sign-in stopped on the log-in page
(tests/e2e/test_journey_company_sign_in.py goes through it in Chromium)."""

from django.conf import settings

from accounts import sso_config

OIDC = {
    "protocol": "openid_connect",
    "id": "entra",
    "name": "Contoso",
    "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
    "client_id": "ideabox",
    "secret": "s",
    "domains": ["contoso.com"],
}
SAML = {
    "protocol": "saml",
    "id": "okta",
    "name": "Contoso",
    "domains": ["contoso.com"],
    "idp": {"entity_id": "http://www.okta.com/x", "sso_url": "https://contoso.okta.com/app/sso/saml", "x509cert": "M"},
}
SAML_METADATA = {
    "protocol": "saml",
    "id": "keycloak",
    "name": "Fabrikam",
    "domains": ["fabrikam.com"],
    "idp": {"entity_id": "https://id.fabrikam.com/realms/staff", "metadata_url": "https://id.fabrikam.com:8443/m"},
}


def checked(*entries):
    return sso_config.overrides(list(entries))["SSO_PROVIDERS"]


def test_each_providers_origin_is_a_form_action_once():
    entries = checked(OIDC, SAML, SAML_METADATA, {**OIDC, "id": "entra-2"})
    assert sso_config.form_action_origins(entries) == [
        "https://login.microsoftonline.com",
        "https://contoso.okta.com",
        "https://id.fabrikam.com:8443",
    ]


def test_without_providers_forms_go_to_the_site_only():
    assert sso_config.form_action_origins([]) == []
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'"]
