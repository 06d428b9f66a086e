"""`manage.py relay_outbox`: send the grading messages the broker could not take when the
submission was accepted (docs/grading.md, "Faults")."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection

from exams import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send the grading messages of submissions whose send to the broker failed (the outbox), "
        "every GRADING_OUTBOX_EVERY_S seconds until stopped (SIGTERM or Ctrl-C); with --once, "
        "one pass."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="One pass, then exit (prints the ids sent)."
        )
        parser.add_argument(
            "--heartbeat",
            type=Path,
            help="A file touched after every pass, whatever its outcome (a health check reads "
            "its age).",
        )

    def handle(self, *args: object, **options: object) -> None:
        """Relay until stopped; a pass that fails (database or broker down) is logged and the
        next pass tries again."""
        if options["once"]:
            sent = services.submissions_relay_outbox()
            self.stdout.write(f"sent {len(sent)}: {sent}")
            return
        stop = threading.Event()

        def stop_on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, stop_on_signal)
        signal.signal(signal.SIGINT, stop_on_signal)
        self.stdout.write(
            f"Relaying the grading outbox every {settings.GRADING_OUTBOX_EVERY_S} s.", ending="\n"
        )
        self.stdout.flush()
        while not stop.is_set():
            try:
                sent = services.submissions_relay_outbox()
            except DatabaseError as exc:
                logger.warning("Outbox relay: the database is unavailable: %s", exc)
                connection.close()
            else:
                if sent:
                    logger.info("Outbox relay: sent submissions %s", sent)
            if options["heartbeat"] is not None:
                options["heartbeat"].touch()
            stop.wait(settings.GRADING_OUTBOX_EVERY_S)
