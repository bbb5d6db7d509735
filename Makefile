# Ideabox: `make run` serves the demo site, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in e-mails' links (rendered by the worker, which has no
# request): the server's own unless SITE_URL is set.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run idp run-sso check-sso test faults e2e lint format messages check-messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Migrate, load the demo data (idempotent), then the web site, a Celery
# worker and the Celery beat scheduler together; Ctrl-C stops all three.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	IDEABOX_BIN=$(BIN) IDEABOX_ADDR=$(HOST):$(PORT) SITE_URL=$(SITE_URL) $(BIN)/honcho -f Procfile.dev start

# Company sign-in against a local identity provider (docs/sso.md): in one
# terminal `make idp` (oidc-provider-mock, an OpenID Connect provider for
# tests, on IDP_PORT), in another `make run-sso` (`make run` with the demo
# provider configured). `make run` itself needs no identity provider.
# The mock offers three people of corp.example in one click; any other
# subject typed on its page signs in with only an e-mail address.
IDP_PORT ?= 9400
IDP_URL ?= http://127.0.0.1:$(IDP_PORT)
DEMO_SSO_PROVIDERS ?= [{"protocol": "openid_connect", "id": "demo", "name": "Demo Company", "server_url": "$(IDP_URL)", "client_id": "ideabox-demo", "secret": "demo-secret", "domains": ["corp.example"]}]
idp: install
	$(BIN)/oidc-provider-mock --host 127.0.0.1 --port $(IDP_PORT) \
	  --user-claims '{"sub": "camille", "email": "camille.durand@corp.example", "given_name": "Camille", "family_name": "Durand", "name": "Camille Durand", "locale": "fr-FR", "department": "OPS-LOG"}' \
	  --user-claims '{"sub": "sam", "email": "sam.okafor@corp.example", "given_name": "Sam", "family_name": "Okafor", "name": "Sam Okafor", "locale": "en", "department": "research and development"}' \
	  --user-claims '{"sub": "noor", "email": "noor.haddad@corp.example", "given_name": "Noor", "family_name": "Haddad", "name": "Noor Haddad", "department": "Customer Insight Lab"}'

run-sso:
	SSO_PROVIDERS='$(DEMO_SSO_PROVIDERS)' $(MAKE) run

# Check each configured identity provider (discovery, keys, certificates);
# exit status 1 when one fails. With the demo's: `make check-sso SSO_PROVIDERS=...`
check-sso: install
	$(BIN)/python manage.py check_sso

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The fault tests (tests/faults, not part of `make test`): a real Celery
# worker killed during a tally, a Redis of their own stopped while people
# vote and comment, two schedulers at once. On PostgreSQL and Redis:
#   DATABASE_URL=postgres://... REDIS_URL=redis://... make faults
faults: install
	$(BIN)/pytest --ds=ideabox.settings.faults tests/faults $(PYTEST_ARGS)

# The browser tests (tests/e2e, not part of `make test`): journeys in
# headless Chromium (Debian's /usr/bin/chromium) against a real server, a
# Celery worker and the scheduler, with axe-core on every page. Screenshots
# in var/e2e-artifacts/ (IDEABOX_E2E_ARTIFACTS). IDEABOX_SKIP_BROWSER=1
# skips them. On SQLite by default, or DATABASE_URL=... REDIS_URL=... make e2e
# E2E_ARGS selects, e.g. E2E_ARGS=tests/e2e/test_journey_public_voter.py
E2E_ARGS ?= tests/e2e
e2e: install
	$(BIN)/pytest --ds=ideabox.settings.e2e $(E2E_ARGS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract the strings to translate into locale/*/LC_MESSAGES/django.po, then
# compile them; both the .po and .mo files are committed (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages --all --no-location --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Fail when `make messages` would change a catalogue (a string missing or
# gone), a translation is empty or fuzzy, msgfmt --check rejects one, or a
# committed .mo file differs from its .po (needs gettext).
check-messages: install
	$(BIN)/python scripts/check_messages.py

clean:
	rm -rf var $(VENV)
