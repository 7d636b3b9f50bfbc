"""Importing subscribers from a CSV file: one importer behind `manage.py import_subscribers` and the
admin's upload form.

Two layouts are recognised from the header line: a plain CSV (`email`, `name`, `language`) and a
Mailchimp audience export (`Email Address`, `First Name`, `Last Name`, maybe `Language`). Columns
are matched whatever their case, spacing or punctuation, so an export of the admin's own listing
imports too.

Rules, in the order they are applied to each line:
- blank lines are ignored; the header is line 1 and every reported line number is the line in the
  file (a quoted value spanning several lines counts them all);
- the address must survive `normalize_email` (its ValidationError message is the reason given);
- the language comes from the row (bn/en, Bangla/English, বাংলা/ইংরেজি, any case), else from the
  default; any other value skips the line rather than guess;
- an address seen earlier in the file, whatever its case, is a duplicate;
- people who unsubscribed, bounced or complained are never subscribed again by an import, and an
  address erased at the person's request (SuppressedAddress) is never imported again;
- people already on the list keep their status and language: only an empty name is filled in.

Everyone added is `subscribed` with `source=import`; the consent fields record that the officer who
imported the file vouched for everyone's consent (what they ticked, the file, who, when).

A dry run writes nothing and reports exactly what an import would do. A file that cannot be read
raises `UnreadableFile` and changes nothing; an import runs in one transaction, so an unexpected
error changes nothing either. Importing the same file twice changes nothing the second time.

The file is streamed; addresses are looked up `CHUNK_SIZE` at a time through the index on
`Lower("email")`, and rows are written a chunk at a time (`insert_many`, bulk_update). Each added
or updated subscriber gets one `newsletter.import` history entry, inserted the same way (Wagtail's
`log()` would cost a query per row).
"""

import csv
import getpass
import io
import re
import unicodedata
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import registry as log_registry
from wagtail.models import Locale, ModelLogEntry

from website.exports import csv_unsafe
from website.models import Topic

from .addresses import normalize_email, suppression_hash
from .models import Label, Source, StakeholderGroup, Status, Subscriber, SuppressedAddress

CHUNK_SIZE = 2000  # addresses looked up per query, rows written per bulk statement
NAME_MAX_LENGTH = Subscriber._meta.get_field("name").max_length
SHOWN_VALUE_LENGTH = 80  # how much of a bad value a report repeats

CONSENT_DECLARATION = gettext_lazy(
    "I confirm that everyone in this file agreed to receive the Better Work Bangladesh newsletter "
    "by e-mail, and that I can show where and when they agreed."
)

LANGUAGE_ALIASES = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "ইংরেজি": "en",
    "ইংরেজী": "en",
    "ইংলিশ": "en",
    "bn": "bn",
    "ben": "bn",
    "bangla": "bn",
    "bengali": "bn",
    "বাংলা": "bn",
    "both": "both",
    "bn+en": "both",
    "en+bn": "both",
    "bangla and english": "both",
    "উভয়": "both",
    "বাংলা ও ইংরেজি": "both",
}

# Header names, compared after `_column_key` (case, spaces and punctuation removed).
EMAIL_COLUMNS = ("email", "emailaddress", "mail")
NAME_COLUMNS = ("name", "fullname")
FIRST_NAME_COLUMNS = ("firstname", "fname", "givenname")
LAST_NAME_COLUMNS = ("lastname", "lname", "surname", "familyname")
LANGUAGE_COLUMNS = ("language", "lang")
STATUS_COLUMNS = ("status",)
# Who they are and the officers' labels: a plain CSV's `group`, `topics`, `labels`; Mailchimp's
# TAGS and a group category column named like ours ("Stakeholder group").
GROUP_COLUMNS = ("group", "stakeholdergroup")
TOPIC_COLUMNS = ("topics", "interests", "topicsofinterest")
LABEL_COLUMNS = ("labels", "tags")
LIST_SEPARATORS = re.compile(r"[,;|]")
SUBSCRIBED_STATUS_VALUES = {"", "subscribed", "active", "confirmed"}

REFUSED_STATUSES = {
    Status.UNSUBSCRIBED: gettext_lazy(
        "Unsubscribed: an import never subscribes anybody again (they can sign up themselves)."
    ),
    Status.BOUNCED: gettext_lazy(
        "Marked as bounced: an import never subscribes a bouncing address again."
    ),
    Status.COMPLAINED: gettext_lazy(
        "Marked as complained (reported the newsletter as spam): never subscribed again by an "
        "import."
    ),
}

_SEPARATORS = re.compile(r"[\s_\-.]+")
_WHITESPACE = re.compile(r"\s+")


class UnreadableFile(Exception):
    """The file is not a UTF-8 CSV file with an e-mail column; nothing was changed.

    `str(exc)` is a message for the person who chose the file, in the active language.
    """


@dataclass(frozen=True)
class SkippedLine:
    line: int
    value: str  # the address as written in the file (shortened), for the person to find it
    reason: str


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool
    layout: str = "csv"  # "csv" or "mailchimp"
    default_language: str = settings.LANGUAGE_CODE
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    pending: int = 0  # of those updated or unchanged: sign-ups still waiting for confirmation
    skipped: list = field(default_factory=list)
    # Lines imported without an unknown group or topic (the person is imported, the value not).
    notes: list = field(default_factory=list)
    new_labels: list = field(default_factory=list)

    @property
    def skipped_count(self):
        return len(self.skipped)

    @property
    def layout_label(self):
        return _("Mailchimp audience export") if self.layout == "mailchimp" else _("CSV file")

    @property
    def changed(self):
        return not self.dry_run and bool(self.added or self.updated)

    def summary_lines(self):
        """The report as plain text lines (the command prints them; tests read them)."""
        lines = [
            _("%(layout)s “%(file)s”%(dry_run)s")
            % {
                "layout": self.layout_label,
                "file": self.file_name,
                "dry_run": _(" (dry run: nothing was changed)") if self.dry_run else "",
            },
            _("Added: %(count)d") % {"count": self.added},
            _("Updated: %(count)d") % {"count": self.updated},
            _("Unchanged: %(count)d") % {"count": self.unchanged},
            _("Skipped: %(count)d") % {"count": self.skipped_count},
        ]
        if self.pending:
            lines.append(
                _(
                    "%(count)d already signed up but not confirmed yet: they stay pending until "
                    "they confirm."
                )
                % {"count": self.pending}
            )
        if self.new_labels:
            lines.append(_("New labels: %(labels)s") % {"labels": ", ".join(self.new_labels)})
        for skipped in self.skipped:
            lines.append(
                _("line %(line)d: %(value)s: %(reason)s")
                % {"line": skipped.line, "value": skipped.value or "—", "reason": skipped.reason}
            )
        for note in self.notes:
            lines.append(
                _("line %(line)d: %(value)s: imported without %(reason)s")
                % {"line": note.line, "value": note.value or "—", "reason": note.reason}
            )
        return lines


@dataclass
class _Candidate:
    line: int
    value: str
    email: str
    key: str
    name: str
    language: str
    group: str = ""
    topics: tuple = ()
    labels: tuple = ()


def parse_list(value):
    """The items of a cell holding several ("a, b", Mailchimp's TAGS: '"a","b"'), in order."""
    items = (item.strip().strip('"').strip() for item in LIST_SEPARATORS.split(value or ""))
    return list(dict.fromkeys(item for item in items if item))


def parse_language(value, default=None):
    """`en`/`bn` for any spelling the importer accepts (bn, Bangla, বাংলা, en-GB...), else None.

    A blank value gives `default`.
    """
    text = unicodedata.normalize("NFC", value or "").strip().casefold()
    if not text:
        return default
    if text in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[text]
    prefix = re.split(r"[-_]", text, maxsplit=1)[0]  # en-GB, bn_BD
    if prefix in ("en", "bn") and prefix != text:
        return prefix
    return None


def _column_key(name):
    name = unicodedata.normalize("NFKC", name or "").replace("\ufeff", "")
    return _SEPARATORS.sub("", name.strip().strip("\"'").casefold())


def _clean_text(value):
    """A cell as one line of printable text: control characters go, runs of spaces become one."""
    value = unicodedata.normalize("NFC", value or "")
    value = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    return _WHITESPACE.sub(" ", value).strip().strip("\ufeff\u200b").strip()


def _shown(value):
    value = _clean_text(value)
    if len(value) > SHOWN_VALUE_LENGTH:
        value = value[: SHOWN_VALUE_LENGTH - 1] + "…"
    return value


class _Columns:
    """Where each known column is in the header; which layout the file is in."""

    def __init__(self, header):
        keys = [_column_key(name) for name in header]

        def find(names):
            for name in names:
                if name in keys:
                    return keys.index(name)
            return None

        self.email = find(EMAIL_COLUMNS)
        self.name = find(NAME_COLUMNS)
        self.first_name = find(FIRST_NAME_COLUMNS)
        self.last_name = find(LAST_NAME_COLUMNS)
        self.language = find(LANGUAGE_COLUMNS)
        self.status = find(STATUS_COLUMNS)
        self.group = find(GROUP_COLUMNS)
        self.topics = find(TOPIC_COLUMNS)
        self.labels = find(LABEL_COLUMNS)
        if self.email is None:
            raise UnreadableFile(
                _(
                    "The first line must name the columns, and one of them must be “email” (or "
                    "Mailchimp's “Email Address”). Found: %(columns)s."
                )
                % {"columns": ", ".join(_shown(name) for name in header if name.strip()) or "—"}
            )
        self.is_mailchimp = keys[self.email] == "emailaddress"
        if self.is_mailchimp and any(k.startswith(("unsub", "clean")) for k in keys):
            # Mailchimp exports unsubscribed and cleaned (bouncing) contacts in their own files,
            # with UNSUB_TIME / CLEAN_TIME columns: none of them may be subscribed.
            raise UnreadableFile(
                _(
                    "This is Mailchimp's export of unsubscribed or cleaned contacts: nobody in it "
                    "may be subscribed. Export the subscribed contacts instead."
                )
            )

    @staticmethod
    def cell(row, index):
        if index is None or index >= len(row):
            return ""
        return csv_unsafe(row[index])  # the project's own exports neutralise formulas

    def name_of(self, row):
        if self.name is not None:
            name = self.cell(row, self.name)
        else:
            name = f"{self.cell(row, self.first_name)} {self.cell(row, self.last_name)}"
        return _clean_text(name)[:NAME_MAX_LENGTH].strip()


def _check_signature(raw):
    """Fail early, with a helpful message, on files that are clearly not CSV text."""
    position = raw.tell()
    head = raw.read(8)
    raw.seek(position)
    if not head:
        raise UnreadableFile(_("The file is empty."))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _(
                "This is a spreadsheet workbook, not a CSV file. In Excel or LibreOffice, use "
                "“Save as” and choose “CSV UTF-8 (comma delimited)”, then import that file."
            )
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(
            _(
                "The file is in UTF-16 (“Unicode text”). Save it as “CSV UTF-8 (comma "
                "delimited)” and import that file."
            )
        )
    if head.startswith(b"%PDF"):
        raise UnreadableFile(_("This is a PDF document, not a CSV file."))


def _first_bad_line(raw, start):
    """The line number of the first byte sequence that is not UTF-8 (only called on failure)."""
    raw.seek(start)
    for number, line in enumerate(raw, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None


def _not_utf8(raw, start):
    line = _first_bad_line(raw, start)
    message = _(
        "The file is not UTF-8 text, so Bangla and other letters would be garbled. Save it as "
        "“CSV UTF-8 (comma delimited)” and import it again."
    )
    if line:
        message = _("Line %(line)d: %(message)s") % {"line": line, "message": message}
    return UnreadableFile(message)


def _rows(raw):
    """(line number, header) then (line number, row) for every CSV record of a binary file.

    The line number is the line the record starts on. The delimiter is the first of , ; or tab
    found in the header line (Excel writes ; in some countries).
    """
    start = raw.tell()
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    line_number = previous = 0
    try:
        try:
            header_line = ""
            while not header_line.strip():
                header_line = text.readline()
                if not header_line:
                    raise UnreadableFile(_("The file is empty."))
                line_number += 1
            delimiter = next((d for d in (",", ";", "\t") if d in header_line), ",")
            header = next(csv.reader([header_line], delimiter=delimiter), [])
            yield line_number, header
            reader = csv.reader(text, delimiter=delimiter)
            for row in reader:
                yield line_number + previous + 1, row
                previous = reader.line_num
        except UnicodeDecodeError as exc:
            raise _not_utf8(raw, start) from exc
        except csv.Error as exc:
            raise UnreadableFile(
                _("Line %(line)d cannot be read as CSV (%(error)s).")
                % {"line": line_number + previous + 1, "error": exc}
            ) from exc
    finally:
        text.detach()  # leave the caller's file open


def import_subscribers(file, *, file_name="", default_language=None, dry_run=False, user=None):
    """Import subscribers from `file` (a binary, seekable file object) and return an ImportReport.

    `user` is the officer vouching for consent (None on the command line); `default_language`
    applies where the file gives none (the site's default language if not given). Raises
    UnreadableFile, having changed nothing, when the file cannot be read.
    """
    default_language = parse_language(default_language) or settings.LANGUAGE_CODE
    _check_signature(file)
    report = ImportReport(
        file_name=file_name or getattr(file, "name", "") or "",
        dry_run=dry_run,
        default_language=default_language,
    )
    importer = _Importer(report, user)
    rows = _rows(file)
    try:
        _, header = next(rows)
        columns = _Columns(header)
        report.layout = "mailchimp" if columns.is_mailchimp else "csv"
        with transaction.atomic():
            for line, row in rows:
                importer.add_row(line, row, columns)
            importer.flush()
    finally:
        rows.close()
    return report


def insert_many(objects):
    """INSERT unsaved instances of one model (with an automatic primary key) in one executemany.

    What bulk_create does, minus compiling SQL for each value, which costs three times the
    database's own work on a 100,000-row import. Values shared by consecutive rows (the import
    time, the consent text, the status...) are converted for the database once. Like
    bulk_create, it sends no signals and does not set the instances' primary keys.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    last = [(object(), None)] * len(fields)  # per field: last value seen, converted
    rows = []
    for instance in objects:
        row = []
        for i, model_field in enumerate(fields):
            value = model_field.pre_save(instance, add=True)
            seen, converted = last[i]
            if value is not seen:
                converted = model_field.get_db_prep_save(value, connection)
                last[i] = (value, converted)
            row.append(converted)
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class _Importer:
    def __init__(self, report, user):
        self.report = report
        self.user = user if user is not None and user.is_authenticated else None
        self.now = timezone.now()
        self.batch = []
        self.seen = {}  # address key -> line of its first occurrence
        self.check_suppression = SuppressedAddress.objects.exists()
        self.log_model = log_registry.get_log_model_for_model(Subscriber) or ModelLogEntry
        self.content_type = ContentType.objects.get_for_model(Subscriber)
        self.uuid = uuid.uuid4()  # groups this import's history entries
        self.groups = self._group_names()
        self.topics = self._topic_names()
        self.labels = {label.name.casefold(): label for label in Label.objects.all()}
        who = self._who()
        when = timezone.localtime(self.now).strftime("%Y-%m-%d %H:%M %Z")
        self.consent_source = (
            _("Import of “%(file)s” by %(who)s on %(when)s")
            % {"file": report.file_name, "who": who, "when": when}
        )[: Subscriber._meta.get_field("consent_source").max_length]
        self.consent_text = f"{CONSENT_DECLARATION}\n{self.consent_source}"

    def _who(self):
        if self.user is not None:
            name = self.user.get_full_name() or self.user.get_username()
            return f"{name} <{self.user.email}>" if self.user.email else name
        try:
            login = getpass.getuser()
        except (KeyError, OSError):  # no login name in a bare container
            login = "?"
        return _("%(login)s (command line)") % {"login": login}

    @staticmethod
    def _group_names():
        """Every spelling of each group an import understands: its code, its name in English
        and in Bangla, case and spaces ignored."""
        names = {}
        for code, label in StakeholderGroup.choices:
            names[_column_key(code)] = code
            for language in ("en", "bn"):
                with translation.override(language):
                    names[_column_key(str(label))] = code
        return names

    @staticmethod
    def _topic_names():
        """{slug or name in any language: the default language's topic id}."""
        default = Locale.get_default()
        sources = {
            topic.translation_key: topic.pk for topic in Topic.objects.filter(locale=default)
        }
        names = {}
        for topic in Topic.objects.filter(translation_key__in=sources):
            names[_column_key(topic.slug)] = sources[topic.translation_key]
            names[_column_key(topic.name)] = sources[topic.translation_key]
        return names

    def audience_of(self, line, value, row, columns):
        """(group, topic ids, label names) of a row; unknown groups and topics are noted."""
        group = ""
        written = _clean_text(columns.cell(row, columns.group))
        if written:
            group = self.groups.get(_column_key(written), "")
            if not group:
                self.note(line, value, _("the unknown group “%(group)s”") % {"group": written})
        topics = []
        for written in parse_list(columns.cell(row, columns.topics)):
            topic = self.topics.get(_column_key(written))
            if topic is None:
                self.note(line, value, _("the unknown topic “%(topic)s”") % {"topic": written})
            else:
                topics.append(topic)
        labels = tuple(
            _clean_text(name)[:80] for name in parse_list(columns.cell(row, columns.labels))
        )
        return group, tuple(topics), labels

    def note(self, line, value, reason):
        self.report.notes.append(SkippedLine(line, _shown(value), str(reason)))

    def skip(self, line, value, reason):
        self.report.skipped.append(SkippedLine(line, _shown(value), str(reason)))

    def add_row(self, line, row, columns):
        if not any(cell.strip() for cell in row):
            return  # blank line
        value = columns.cell(row, columns.email)
        try:
            email = normalize_email(value)
        except ValidationError as exc:
            self.skip(line, value, " ".join(exc.messages))
            return
        status = _column_key(columns.cell(row, columns.status))
        if status not in SUBSCRIBED_STATUS_VALUES:
            self.skip(
                line,
                value,
                _(
                    "The file marks this person as “%(status)s”: only subscribed people are "
                    "imported."
                )
                % {"status": _shown(columns.cell(row, columns.status))},
            )
            return
        language_value = columns.cell(row, columns.language)
        language = parse_language(language_value, default=self.report.default_language)
        if language is None:
            self.skip(
                line,
                value,
                _("Unknown language “%(language)s”: write bn or en (Bangla or English).")
                % {"language": _shown(language_value)},
            )
            return
        key = email.lower()  # = email_key(email), without normalising a second time
        if key in self.seen:
            self.skip(line, value, _("Same address as line %(line)d.") % {"line": self.seen[key]})
            return
        self.seen[key] = line
        group, topics, labels = self.audience_of(line, value, row, columns)
        self.batch.append(
            _Candidate(
                line, value, email, key, columns.name_of(row), language, group, topics, labels
            )
        )
        if len(self.batch) >= CHUNK_SIZE:
            self.flush()

    def flush(self):
        batch, self.batch = self.batch, []
        if not batch:
            return
        existing = {
            subscriber.key: subscriber
            for subscriber in Subscriber.objects.annotate(key=Lower("email"))
            .filter(key__in=[c.key for c in batch])
            .only("pk", "email", "name", "status", "group")
        }
        new = [c for c in batch if c.key not in existing]
        suppressed = self._suppressed(new)
        to_create, to_update = [], []
        for candidate in batch:
            subscriber = existing.get(candidate.key)
            if subscriber is None:
                if candidate.key in suppressed:
                    self.skip(
                        candidate.line,
                        candidate.value,
                        _(
                            "This address was erased at the person's request: it is never "
                            "imported again."
                        ),
                    )
                    continue
                to_create.append((candidate, self._new_subscriber(candidate)))
            elif subscriber.status in REFUSED_STATUSES:
                self.skip(candidate.line, candidate.value, REFUSED_STATUSES[subscriber.status])
            else:
                if subscriber.status == Status.PENDING:
                    self.report.pending += 1
                if candidate.name and not subscriber.name:
                    subscriber.name = candidate.name
                    subscriber.updated_at = self.now
                    to_update.append((candidate, subscriber))
                    self.report.updated += 1
                else:
                    self.report.unchanged += 1
        self.report.added += len(to_create)
        if self.report.dry_run:
            return
        created = [subscriber for _, subscriber in to_create]
        insert_many(created)
        self._fill_pks(created)
        Subscriber.objects.bulk_update(
            [subscriber for _, subscriber in to_update], ["name", "updated_at"], batch_size=500
        )
        kept = [
            (candidate, existing[candidate.key])
            for candidate in batch
            if candidate.key in existing and existing[candidate.key].status not in REFUSED_STATUSES
        ]
        self._add_audience(to_create + kept)
        insert_many(
            [self._log_entry(c, s, {}) for c, s in to_create]
            + [self._log_entry(c, s, {"updated": ["name"]}) for c, s in to_update]
        )

    def _add_audience(self, pairs):
        """Groups (only where the person gave none), topics and labels of the file's rows;
        labels that do not exist yet are created and named in the report."""
        pairs = [(c, s) for c, s in pairs if c.group or c.topics or c.labels]
        if not pairs:
            return
        grouped = []
        for candidate, subscriber in pairs:
            if candidate.group and not subscriber.group:
                subscriber.group = candidate.group
                grouped.append(subscriber)
        Subscriber.objects.bulk_update(grouped, ["group"], batch_size=500)
        Subscriber.topics.through.objects.bulk_create(
            [
                Subscriber.topics.through(subscriber_id=s.pk, topic_id=topic)
                for c, s in pairs
                for topic in c.topics
            ],
            ignore_conflicts=True,
        )
        for name in dict.fromkeys(n for c, _s in pairs for n in c.labels):
            if name.casefold() not in self.labels:
                self.labels[name.casefold()] = Label.objects.create(name=name)
                self.report.new_labels.append(name)
        Subscriber.labels.through.objects.bulk_create(
            [
                Subscriber.labels.through(subscriber_id=s.pk, label_id=self.labels[n.casefold()].pk)
                for c, s in pairs
                for n in c.labels
            ],
            ignore_conflicts=True,
        )

    def _suppressed(self, candidates):
        """Keys of the candidates whose address was erased (hashed only when any was)."""
        if not self.check_suppression or not candidates:
            return set()
        by_hash = {suppression_hash(c.email): c.key for c in candidates}
        found = SuppressedAddress.objects.filter(email_hash__in=list(by_hash)).values_list(
            "email_hash", flat=True
        )
        return {by_hash[h] for h in found}

    def _new_subscriber(self, candidate):
        return Subscriber(
            email=candidate.email,
            name=candidate.name,
            language=candidate.language,
            group=candidate.group,
            status=Status.SUBSCRIBED,
            source=Source.IMPORT,
            signed_up_at=self.now,
            confirmed_at=self.now,
            consent_text=self.consent_text,
            consent_at=self.now,
            consent_source=self.consent_source,
        )

    def _fill_pks(self, created):
        """The ids the database gave the new subscribers, found by address (one query)."""
        by_key = {s.email.lower(): s for s in created}
        if not by_key:
            return
        for pk, key in (
            Subscriber.objects.annotate(key=Lower("email"))
            .filter(key__in=list(by_key))
            .values_list("pk", "key")
        ):
            by_key[key].pk = pk

    def _log_entry(self, candidate, subscriber, extra):
        return self.log_model(
            content_type=self.content_type,
            object_id=str(subscriber.pk),
            label=subscriber.email,
            action="newsletter.import",
            timestamp=self.now,
            data={"file": self.report.file_name, "line": candidate.line, **extra},
            user=self.user,
            uuid=self.uuid,
            content_changed=True,
        )
