"""Settings for the test run: the real settings, with tasks run inline and fast hashing."""

import tempfile
from pathlib import Path

from storefeed.config.settings import *  # noqa: F403
from storefeed.config.settings import TASKS

TASKS["default"]["BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="storefeed-test-media-"))
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
WHITENOISE_USE_FINDERS = True
