#!/usr/bin/env python3
"""Back up var/ while Storefeed runs: a consistent SQLite snapshot, the secret key and uploads.

Usage: .venv/bin/python scripts/backup.py [DEST_DIR]    (default: ./backups)
Writes DEST_DIR/storefeed-var-YYYYmmdd-HHMMSS.tar.gz. Collected static files are left out
(`storefeed collectstatic` rebuilds them). On PostgreSQL the database is not in var/: back it
up with pg_dump (see docs/operations.md); this script still saves the key and the uploads.
"""

import os
import sqlite3
import sys
import tarfile
import tempfile
import time
from pathlib import Path


def main() -> int:
    var = Path(os.environ.get("STOREFEED_VAR_DIR", "var")).resolve()
    media = Path(os.environ.get("STOREFEED_MEDIA_ROOT", var / "media")).resolve()
    dest = Path(sys.argv[1] if len(sys.argv) > 1 else "backups").resolve()
    if not var.is_dir():
        print(f"No var directory at {var}; nothing to back up.", file=sys.stderr)
        return 1
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / f"storefeed-var-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    database = var / "storefeed.sqlite3"
    on_sqlite = not os.environ.get("STOREFEED_DATABASE_URL", "").strip()

    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive, "w:gz") as tar:
        if on_sqlite and database.exists():
            # SQLite's online backup copies a consistent state even while the site writes.
            snapshot = Path(scratch) / "storefeed.sqlite3"
            with sqlite3.connect(database) as source, sqlite3.connect(snapshot) as target:
                source.backup(target)
            tar.add(snapshot, arcname="var/storefeed.sqlite3")
        elif not on_sqlite:
            print("The database is not SQLite: back it up with pg_dump as well.", file=sys.stderr)
        for path in sorted(var.glob("secret_key")) + sorted(var.glob("demo-loaded-*")):
            tar.add(path, arcname=f"var/{path.name}")
        if media.is_dir():
            tar.add(media, arcname="var/media")
    print(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
