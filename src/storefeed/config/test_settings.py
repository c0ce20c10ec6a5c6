"""Settings for the test run: the real settings, with tasks run inline and fast hashing."""

import atexit
import shutil
import tempfile
from pathlib import Path

from storefeed.config.settings import *  # noqa: F403
from storefeed.config.settings import DATABASES, TASKS

TASKS["default"]["BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="storefeed-test-media-"))
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The SQLite test database is a file, not Django's default in-memory one, so that another
    # process can open it: the client tests run `storefeed serve` against it. One directory
    # per test run keeps concurrent runs in one checkout apart.
    _test_db_dir = tempfile.mkdtemp(prefix="storefeed-test-db-")
    atexit.register(shutil.rmtree, _test_db_dir, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_test_db_dir) / "test.sqlite3")}

# Each page writes its impressions at once (no flushing thread, whose own connection would not
# see the test database on SQLite).
INSIGHTS_FLUSH_SECONDS = 0
