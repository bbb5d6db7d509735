"""gunicorn settings for an Ideabox web machine (see docs/deploy.md).

deploy/systemd/ideabox-web.service starts:

    gunicorn ideabox.wsgi --config /srv/ideabox/app/deploy/gunicorn.conf.py

with DJANGO_SETTINGS_MODULE=ideabox.settings.prod and the rest of the
environment from /etc/ideabox/ideabox.env. Edit the values here (or
override one with a command-line flag) to suit the machine.
"""

import gc
import multiprocessing

# Plain HTTP on the private network: only the TLS-terminating proxy may reach
# this port (firewall it), since Django believes the X-Forwarded-Proto header
# of whoever connects. With the proxy on the same machine, prefer a socket:
# bind = "unix:/run/ideabox-web/gunicorn.sock"
bind = "0.0.0.0:8000"

# Synchronous workers, one request at a time each: the usual 2 x CPUs + 1.
# Each one holds up to one PostgreSQL connection (CONN_MAX_AGE), so count
# them when sizing PostgreSQL's max_connections.
workers = multiprocessing.cpu_count() * 2 + 1

# A request running longer than this kills its worker (the proxy's own
# timeout should be a little longer). /healthz gives up on the broker after
# about two seconds, well inside it.
timeout = 30
# On `systemctl reload` (HUP) and stop, how long running requests may finish.
graceful_timeout = 30

# Restart each worker after about this many requests: bounds slow leaks.
# A restart costs a second of a core (Django is imported again): at 1,000
# requests per worker, under a busy vote, recycling took a third of the
# machine (bench/votes.py), hence the larger figure.
max_requests = 20000
max_requests_jitter = 2000

# Logs to standard output and error, which systemd sends to the journal.
accesslog = "-"
errorlog = "-"
loglevel = "info"

# Addresses whose X-Forwarded-* headers gunicorn itself trusts (here its
# default, the local machine): put the proxy's address(es). This only sets
# gunicorn's own idea of the scheme; Django reads X-Forwarded-Proto directly
# (SECURE_PROXY_SSL_HEADER), from whoever connects, hence the firewall.
forwarded_allow_ips = "127.0.0.1,::1"

# No runtime control socket (gunicornc): nothing here uses it.
control_socket_disable = True


def post_worker_init(worker):
    # What the application loaded at start-up lives as long as the worker:
    # move it out of the collector's reach, so a full collection walks only
    # the request's objects (it paused large API pages by 100+ ms).
    gc.freeze()
