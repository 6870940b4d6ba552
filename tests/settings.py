"""Settings for the test suite: the real settings plus test-only overrides.

PostgreSQL and Redis stay real (``tests/support/services.py`` starts throwaway
servers and exports ``DATABASE_URL``/``REDIS_URL`` before this is read).
In the SQLite pass (``CCTV_TEST_DATABASE=sqlite``) the database is a SQLite
file opened with the portal's own SQLite options, and Redis stays real.
"""

import base64
import hashlib
import os

# The base settings demand production secrets when DEBUG is off; the suite
# runs on the development defaults unless the caller chose otherwise.
os.environ.setdefault("DJANGO_DEBUG", "true")

from portal.settings import *  # noqa: E402, F403
from portal.settings import ALLOWED_HOSTS, CACHES, DATABASES, REDIS_URL  # noqa: E402

# tests.support.services.DATABASE_FLAG: which database this session runs on.
TEST_DATABASE = os.environ.get("CCTV_TEST_DATABASE", "").strip().lower() or "postgresql"
_ENGINES = {"postgresql": "django.db.backends.postgresql", "sqlite": "django.db.backends.sqlite3"}

if not REDIS_URL or DATABASES["default"]["ENGINE"] != _ENGINES.get(TEST_DATABASE):
    raise RuntimeError(
        "The test suite runs on real PostgreSQL (or, in the SQLite pass, a SQLite file) and Redis: load the "
        "tests.support.services plugin (pytest -p tests.support.services, as pyproject.toml does) "
        "or set DATABASE_URL and "
        "REDIS_URL with CCTV_TEST_USE_EXISTING_SERVICES=1."
    )

DEBUG = False

ALLOWED_HOSTS = list(dict.fromkeys([*ALLOWED_HOSTS, "testserver", "localhost", "127.0.0.1"]))

# Hashing with MD5 keeps user creation fast; never do this outside tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A fixed Fernet key so encrypted fields are reproducible across processes.
CCTV_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(b"cctv-portal test key").digest()).decode()]

# The cache lives in its own Redis database so tests can clear it (rate
# limits, cached lookups) without touching the Celery broker and channel
# layer on database 0.
CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/1"}}

# When tests.support.services owns the PostgreSQL cluster nothing else lives in it,
# so the test database takes the configured name: workers and servers that a
# test starts in a subprocess then reach it through the inherited DATABASE_URL.
# The SQLite pass always does so: its file is the session's own, and Django's
# default SQLite test database would live in memory, out of the subprocesses'
# reach and without WAL or file locks.
if os.environ.get("CCTV_TEST_THROWAWAY_SERVICES") == "1" or TEST_DATABASE == "sqlite":
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}
