"""`manage.py send_newsletter ISSUE [--dry-run]`: send an issue to every subscriber, with progress.

The messages go out through the task workers (`manage.py db_worker`); `--here` delivers from this
process instead. `--sweep` runs the periodic sweep once (for a timer when the task backend cannot
schedule it).
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from newsletter.audiences import Audience
from newsletter.management.commands.render_newsletter import find_issue
from newsletter.models import BOTH, SendState
from newsletter.sending import (
    NotReady,
    bilingual_edition,
    create_send,
    deliver_batch,
    edition_problems,
    live_editions,
    sweep,
)


def progress_line(send, started, width=30):
    totals = send.totals()
    done = totals["sent"] + totals["failed"] + totals["skipped"]
    share = done / totals["total"] if totals["total"] else 1
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = totals["sent"] / elapsed
    eta = f"{totals['pending'] / rate:.0f}s" if rate and totals["pending"] else "-"
    bar = "#" * int(share * width)
    return (
        f"[{bar:<{width}}] {share:4.0%} {done:,}/{totals['total']:,}  sent {totals['sent']:,} "
        f"failed {totals['failed']:,} skipped {totals['skipped']:,}  {rate:.0f} msg/s  ETA {eta}"
    )


class Command(BaseCommand):
    help = "Send a newsletter issue to every confirmed subscriber in their language."

    def add_arguments(self, parser):
        parser.add_argument("issue", nargs="?", help="page id or slug of the issue")
        parser.add_argument("--dry-run", action="store_true", help="show what would be sent")
        parser.add_argument(
            "--allow-fallback",
            action="store_true",
            help="send English items (or the English edition) where Bangla is missing",
        )
        parser.add_argument("--at", help="start at this date-time (ISO 8601) instead of now")
        parser.add_argument(
            "--here", action="store_true", help="deliver from this process, without workers"
        )
        parser.add_argument("--no-wait", action="store_true", help="queue it and return")
        parser.add_argument("--sweep", action="store_true", help="run the sweep once and exit")

    def handle(self, issue=None, **options):
        if options["sweep"]:
            self.stdout.write(f"sweep: {sweep()}")
            return
        if not issue:
            raise CommandError("Name the issue (page id or slug), or use --sweep.")
        page = find_issue(issue, "en")
        page = page.specific if hasattr(page, "specific") else page
        counts = Audience().counts(page)["languages"]
        editions = live_editions(page)
        self.stdout.write(f"Issue: {page.title}")
        for language, count in counts.items():
            if language == BOTH:
                edition = bilingual_edition(editions) if count else None
            else:
                edition = editions.get(language, (None, None))[1]
            state = "no edition" if edition is None else f"{edition.html_size:,} bytes"
            self.stdout.write(f"  {language}: {count:,} recipients, {state}")
        problems = edition_problems(editions, options["allow_fallback"])
        if options["dry_run"]:
            for problem in problems:
                self.stdout.write(f"  ! {problem}")
            self.stdout.write("Dry run: nothing was sent.")
            return
        at = parse_datetime(options["at"]) if options["at"] else None
        if options["at"] and at is None:
            raise CommandError(f"Not a date-time: {options['at']!r} (e.g. 2022-12-20T09:00+06:00)")
        try:
            send = create_send(page, scheduled_at=at, allow_fallback=options["allow_fallback"])
        except NotReady as exc:
            raise CommandError(
                "Not ready to send:\n  "
                + "\n  ".join(exc.problems)
                + "\nTranslate and publish, or use --allow-fallback."
            ) from exc
        self.stdout.write(f"Send {send.pk}: {send.get_state_display()}")
        if options["no_wait"] or send.state == SendState.SCHEDULED:
            return
        started = time.monotonic()
        while True:
            send.refresh_from_db()
            worked = False
            if options["here"] and send.state == SendState.SENDING:
                worked = any(deliver_batch(send.pk).values())
                send.refresh_from_db()
            line = progress_line(send, started)
            if sys.stdout.isatty():
                self.stdout.write("\r" + line, ending="")
            if send.state != SendState.SENDING:
                break
            if not worked:
                time.sleep(1)  # the workers send, or retries are not due yet
        self.stdout.write("\n" + line)
        self.stdout.write(f"Send {send.pk}: {send.get_state_display()} {send.pause_reason}".strip())
        if send.state == SendState.PAUSED:
            raise CommandError(f"Paused: {send.pause_reason}")
