"""Subscriber import speed and memory, beside a plain bulk_create of the same rows.

Generates a CSV of ROWS lines (Bengali and English names, quoted commas, IDN domains, some invalid
addresses, some duplicates in other letter case), then, in one throw-away SQLite database:
- floor: csv.DictReader + Subscriber.objects.bulk_create of the unique rows, nothing checked;
- import: newsletter.importing.import_subscribers (validation, duplicate and suppression checks,
  history entries), on a database that already holds some of the addresses and some erasures;
- again: the same file imported a second time (changes nothing);
- dry run: the same file checked without writing.
Each is timed on its own, then run once more under tracemalloc for its peak Python memory.

    .venv/bin/python bench/import.py            # ROWS=20000 .venv/bin/python bench/import.py
"""

import csv
import os
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("ROWS", "100000"))
BUDGET_SECONDS = 30

FIRST = ["Amina", "Rahim", "Farida", "John", "Nasrin", "রহিমা", "করিম", "ফাতেমা", "Sabina", "Tom"]
LAST = ["Khatun", "Uddin", "Begum", "Smith", "Rahman, Jr.", "আহমেদ", "ইসলাম", "হোসেন", "Akter"]
DOMAINS = ["example.org", "example.com", "mail.example.net", "বাংলা.example", "factory.example.bd"]
LANGUAGES = ["bn", "en", "Bangla", "English", "বাংলা", "ইংরেজি", "", "BN"]


def setup_django(workdir):
    os.environ.pop("DATABASE_URL", None)  # always a throw-away SQLite file, never a real database
    os.environ["VAR_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "website.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(path, rows):
    """The CSV file: 1% invalid addresses, 1% duplicates in other case, the rest unique.
    Returns the unique addresses written."""
    rng = random.Random(8058)  # noqa: S311 (test data, the same every run)
    written = []
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "language"])
        for i in range(rows):
            roll = rng.random()
            if roll < 0.01:
                email = rng.choice(["no-at-sign", "a@", "রহিম@example.org", f"x{i}@-bad-.org"])
            elif roll < 0.02 and i:
                email = f"Person{rng.randrange(i)}@{DOMAINS[0]}".upper()
            else:
                email = f"person{i}@{rng.choice(DOMAINS)}"
                written.append(email)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            writer.writerow([email, name, rng.choice(LANGUAGES)])
    return written


def reset():
    from django.db import connection
    from wagtail.models import ModelLogEntry

    from newsletter.models import Subscriber, SuppressedAddress

    with connection.cursor() as cursor:
        for model in (Subscriber, SuppressedAddress, ModelLogEntry):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 (table names)


def seed(addresses):
    """Some of the file's people are already on the list (1 in 97), some erased their data."""
    from newsletter.addresses import normalize_email, suppression_hash
    from newsletter.models import Source, Status, Subscriber, SuppressedAddress

    statuses = [Status.SUBSCRIBED, Status.PENDING, Status.UNSUBSCRIBED]
    Subscriber.objects.bulk_create(
        Subscriber(email=normalize_email(address), source=Source.FORM, status=statuses[i % 3])
        for i, address in enumerate(addresses[::97])
    )
    SuppressedAddress.objects.bulk_create(
        SuppressedAddress(email_hash=suppression_hash(address)) for address in addresses[1::997]
    )


def floor(path):
    """The least any import can do: read the rows and insert them, checking nothing."""
    from django.db import transaction

    from newsletter.models import Source, Status, Subscriber

    seen, batch = set(), []
    with path.open(encoding="utf-8-sig", newline="") as handle, transaction.atomic():
        for row in csv.DictReader(handle):
            key = row["email"].lower()
            if key in seen or "@" not in key:
                continue
            seen.add(key)
            batch.append(
                Subscriber(
                    email=row["email"],
                    name=row["name"],
                    language="bn",
                    status=Status.SUBSCRIBED,
                    source=Source.IMPORT,
                )
            )
            if len(batch) == 2000:
                Subscriber.objects.bulk_create(batch)
                batch = []
        Subscriber.objects.bulk_create(batch)
    return f"{len(seen):,} rows inserted"


def importer(path, dry_run=False):
    from newsletter.importing import import_subscribers

    with path.open("rb") as handle:
        report = import_subscribers(handle, file_name=path.name, dry_run=dry_run)
    return (
        f"{report.added:,} added, {report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.skipped_count:,} skipped"
    )


def measure(label, run, prepare):
    prepare()
    start = time.perf_counter()
    outcome = run()
    seconds = time.perf_counter() - start
    prepare()
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<28} {seconds:>7.2f} {ROWS / seconds:>10,.0f} {peak / 2**20:>9.1f}   {outcome}")
    return seconds


def main():
    workdir = Path(tempfile.mkdtemp(prefix="bwb-import-bench-"))
    try:
        setup_django(workdir)
        path = workdir / "subscribers.csv"
        addresses = generate(path, ROWS)
        size = path.stat().st_size
        python = sys.version.split()[0]
        print(f"{ROWS:,} rows, {size / 2**20:.1f} MB, SQLite file database, Python {python}")
        header = f"{'':<28} {'seconds':>7} {'rows/s':>10} {'peak MiB':>9}"
        print(header)
        print("-" * len(header))

        def fresh():
            reset()
            seed(addresses)

        def imported():
            fresh()
            importer(path)

        measure("floor (bulk_create only)", lambda: floor(path), reset)
        seconds = measure("import", lambda: importer(path), fresh)
        measure("import again (no change)", lambda: importer(path), imported)
        measure("dry run", lambda: importer(path, dry_run=True), fresh)
        verdict = "within" if seconds < BUDGET_SECONDS else "OVER"
        print(f"import: {verdict} the {BUDGET_SECONDS} s budget for {ROWS:,} rows")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
