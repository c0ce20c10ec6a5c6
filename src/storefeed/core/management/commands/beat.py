"""`storefeed beat`: enqueue the periodic tasks (settings.PERIODIC_TASKS) on their intervals.

The tasks are idempotent sweeps (publish due scheduled posts, expire unpaid orders, ...), so
running two beats, or a beat that restarts, does no harm: at worst a sweep runs twice.
"""

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Enqueue periodic background tasks on their intervals (run beside the workers)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every task once, then exit."
        )
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = [
            (import_string(path), path, int(every)) for path, every in settings.PERIODIC_TASKS
        ]
        if options["once"]:
            for task, path, _every in schedule:
                task.enqueue()
                self.stdout.write(f"enqueued {path}")
            return
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_run = {path: time.monotonic() for _task, path, _every in schedule}
        self.stdout.write(f"beat: {len(schedule)} periodic task(s)")
        while not stopping:
            now = time.monotonic()
            for task, path, every in schedule:
                if now >= next_run[path]:
                    task.enqueue()
                    next_run[path] = now + every
            time.sleep(options["tick"])
