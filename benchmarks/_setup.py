"""Shared start of the benchmarks: a fresh database of the requested kind, migrated.

``--database sqlite`` uses a new file in a temporary folder; ``--database postgres`` a new
database ``hotline_bench`` on the server of ``BENCH_POSTGRES_URL`` (default: the local test
server). Nothing of a developer's own database is touched.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def fresh_database(kind: str) -> None:
    """Point Django at a new, empty database of ``kind`` and migrate it."""
    sys.path.insert(0, str(ROOT))
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
        if not os.environ.get("BENCH_KEEP"):  # a 100k-order database is half a gigabyte
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
        os.environ["HOTLINE_VAR_DIR"] = str(folder)
    else:
        import psycopg

        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS hotline_bench")
            conn.execute("CREATE DATABASE hotline_bench")
        os.environ["DATABASE_URL"] = POSTGRES_SERVER.rsplit("/", 1)[0] + "/hotline_bench"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
