"""Importing subscribers from CSV files and Mailchimp exports: the importer, the command, the
admin upload form, and properties that hold for any input."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry

from newsletter.addresses import email_key, normalize_email, suppression_hash
from newsletter.importing import (
    CHUNK_SIZE,
    UnreadableFile,
    import_subscribers,
    parse_language,
)
from newsletter.models import Source, Status, Subscriber, SuppressedAddress
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
IMPORT_URL = "/admin/newsletter/subscribers/import/"


@pytest.fixture(autouse=True)
def in_english():
    """Messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def run(content, **kwargs):
    data = content.encode("utf-8") if isinstance(content, str) else content
    kwargs.setdefault("file_name", "list.csv")
    return import_subscribers(io.BytesIO(data), **kwargs)


def skipped(report):
    return {line.line: line.reason for line in report.skipped}


def emails():
    return sorted(Subscriber.objects.values_list("email", flat=True))


def import_logs():
    return ModelLogEntry.objects.filter(action="newsletter.import")


def subscriber(email, **fields):
    fields.setdefault("source", Source.FORM)
    fields.setdefault("status", Status.SUBSCRIBED)
    return Subscriber.objects.create(email=email, **fields)


# The plain CSV layout


def test_plain_csv_adds_subscribed_people_with_the_import_recorded():
    report = run(
        "email,name,language\namina@example.org,Amina Khatun,bn\njohn@example.org,John Smith,en\n"
    )
    assert (report.added, report.updated, report.unchanged, report.skipped) == (2, 0, 0, [])
    assert report.layout == "csv"
    amina = Subscriber.objects.get(email="amina@example.org")
    assert (amina.name, amina.language, amina.status, amina.source) == (
        "Amina Khatun",
        "bn",
        Status.SUBSCRIBED,
        Source.IMPORT,
    )
    assert amina.confirmed_at and amina.consent_at
    assert "list.csv" in amina.consent_source and "(command line)" in amina.consent_source
    assert amina.consent_text.startswith("I confirm that everyone in this file agreed")
    assert Subscriber.objects.get(email="john@example.org").language == "en"


def test_every_added_subscriber_gets_an_import_history_entry_naming_the_officer():
    officer = get_user_model().objects.get(username="officer")
    run("email\nx@example.org\ny@example.org\n", user=officer)
    x = Subscriber.objects.get(email="x@example.org")
    entry = ModelLogEntry.objects.for_instance(x).get()
    assert entry.action == "newsletter.import"
    assert entry.user == officer
    assert entry.data == {"file": "list.csv", "line": 2}
    assert entry.message == "Imported"
    y_entry = ModelLogEntry.objects.for_instance(
        Subscriber.objects.get(email="y@example.org")
    ).get()
    assert y_entry.uuid == entry.uuid  # one import, one group of entries
    assert "officer" in x.consent_source


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bn", "bn"),
        ("BN", "bn"),
        ("Bangla", "bn"),
        ("bengali", "bn"),
        ("বাংলা", "bn"),
        (" বাংলা ", "bn"),
        ("bn-BD", "bn"),
        ("en", "en"),
        ("English", "en"),
        ("ENGLISH", "en"),
        ("ইংরেজি", "en"),
        ("en_GB", "en"),
        ("", "bn"),  # the default
        ("French", None),
        ("fr", None),
        ("english please", None),
    ],
)
def test_language_spellings(value, expected):
    assert parse_language(value, default="bn") == expected


def test_language_column_default_and_unknown_values():
    report = run(
        "email,language\n"
        "a@example.org,Bangla\n"
        "b@example.org,ইংরেজি\n"
        "c@example.org,\n"
        "d@example.org,French\n",
        default_language="bn",
    )
    languages = dict(Subscriber.objects.values_list("email", "language"))
    assert languages == {"a@example.org": "bn", "b@example.org": "en", "c@example.org": "bn"}
    assert skipped(report) == {5: "Unknown language “French”: write bn or en (Bangla or English)."}


def test_missing_language_column_takes_the_default():
    run("email,name\nrahim@example.org,রহিম\n", default_language="bn")
    assert Subscriber.objects.get().language == "bn"
    run("email\nsam@example.org\n")  # no default given: the site's language
    assert Subscriber.objects.get(email="sam@example.org").language == "en"


def test_bom_windows_line_endings_and_bengali_names():
    data = "\ufeffemail,name,language\r\nrahima@example.org,রহিমা বেগম,বাংলা\r\nbad,x,bn\r\n"
    report = run(data.encode("utf-8"))
    rahima = Subscriber.objects.get()
    assert rahima.name == "রহিমা বেগম"
    assert rahima.language == "bn"
    assert list(skipped(report)) == [3]


def test_quoted_commas_quoted_line_breaks_and_blank_lines_keep_line_numbers():
    report = run(
        "email,name\n"
        '"rahman@example.org","Rahman, Aziz"\n'
        "\n"
        '"multi@example.org","first line\n'
        'second line"\n'
        "   \n"
        ",,\n"
        "broken-address,Someone\n"
    )
    assert Subscriber.objects.get(email="rahman@example.org").name == "Rahman, Aziz"
    assert Subscriber.objects.get(email="multi@example.org").name == "first line second line"
    assert report.added == 2
    assert list(skipped(report)) == [8]  # blank lines ignored, but counted as lines


def test_semicolon_separated_files_from_excel_are_read():
    run("email;name;language\nsemi@example.org;Semi Colon;en\n")
    assert Subscriber.objects.get().name == "Semi Colon"


def test_invalid_addresses_are_skipped_with_the_reason_and_line():
    report = run(
        "email,name\n"
        "no-at-sign,A\n"
        ",Only a name\n"
        "রহিম@example.org,B\n"
        "a@b@c@-bad-.example,C\n"
        "good@example.org,D\n"
    )
    reasons = skipped(report)
    assert "it needs one @ and a domain" in reasons[2]
    assert reasons[3] == "Enter an e-mail address."
    assert reasons[4] == "The part before the @ must use Latin letters, digits or . _ + -"
    assert reasons[5].startswith("The domain of")
    assert report.skipped[0].value == "no-at-sign"
    assert emails() == ["good@example.org"]


def test_duplicates_within_the_file_whatever_the_case():
    report = run("email\nSame@Example.org\nsame@example.ORG\nother@example.org\nSAME@EXAMPLE.ORG\n")
    assert report.added == 2
    assert skipped(report) == {3: "Same address as line 2.", 5: "Same address as line 2."}
    assert emails() == ["Same@example.org", "other@example.org"]


def test_idn_domains_are_normalised_and_count_as_the_same_address():
    report = run("email\nuser@বাংলা.example\nUSER@XN--54B7FTA0CC.EXAMPLE\n")
    assert emails() == ["user@xn--54b7fta0cc.example"]
    assert skipped(report) == {3: "Same address as line 2."}


def test_people_already_on_the_list_keep_status_and_language_only_an_empty_name_is_filled():
    no_name = subscriber("Amina@Example.org", language="en")
    named = subscriber("john@example.org", name="John")
    pending = subscriber("pending@example.org", status=Status.PENDING)
    before = no_name.updated_at
    report = run(
        "email,name,language\n"
        "amina@example.org,Amina Khatun,bn\n"
        "JOHN@example.org,Johnny,bn\n"
        "pending@example.org,,bn\n"
    )
    assert (report.added, report.updated, report.unchanged, report.pending) == (0, 1, 2, 1)
    no_name.refresh_from_db()
    assert (no_name.name, no_name.language, no_name.status) == ("Amina Khatun", "en", "subscribed")
    assert no_name.updated_at > before
    named.refresh_from_db()
    assert named.name == "John"
    pending.refresh_from_db()
    assert pending.status == Status.PENDING  # only their own confirmation subscribes them
    entry = ModelLogEntry.objects.for_instance(no_name).get()
    assert entry.data["updated"] == ["name"]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.UNSUBSCRIBED, "Unsubscribed: an import never subscribes anybody again"),
        (Status.BOUNCED, "Marked as bounced"),
        (Status.COMPLAINED, "Marked as complained"),
    ],
)
def test_people_who_left_are_never_subscribed_again(status, reason):
    gone = subscriber("gone@example.org", status=status)
    report = run("email,name\nGONE@example.org,Gone\n")
    assert report.added == report.updated == 0
    assert skipped(report)[2].startswith(reason)
    gone.refresh_from_db()
    assert (gone.status, gone.name) == (status, "")


def test_erased_addresses_are_never_imported_again():
    subscriber("erased@example.org").erase()
    assert SuppressedAddress.objects.filter(email_hash=suppression_hash("erased@example.org"))
    report = run("email\nErased@Example.ORG\nkept@example.org\n")
    assert skipped(report) == {
        2: "This address was erased at the person's request: it is never imported again."
    }
    assert emails() == ["kept@example.org"]


def test_a_status_column_marking_people_unsubscribed_is_respected():
    report = run(
        "email,status\na@example.org,subscribed\nb@example.org,unsubscribed\nc@example.org,\n"
    )
    assert emails() == ["a@example.org", "c@example.org"]
    assert "“unsubscribed”" in skipped(report)[3]


def test_names_lose_control_characters_and_are_cut_to_the_field_length():
    run(f'email,name\na@example.org,"Tab\tand\x00null"\nb@example.org,{"ন" * 400}\n')
    assert Subscriber.objects.get(email="a@example.org").name == "Tab and null"
    assert len(Subscriber.objects.get(email="b@example.org").name) == 150


# Mailchimp audience exports

MAILCHIMP_HEADER = (
    '"Email Address","First Name","Last Name","Address","Phone Number",'
    "MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,"
    "TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS,LANGUAGE"
)


def test_mailchimp_export_is_recognised_and_names_are_joined():
    report = run(
        MAILCHIMP_HEADER + "\n"
        '"farida@example.org","ফরিদা","ইয়াসমিন","","",2,"2024-01-01 10:00:00",,,,,,,,,,,'
        '"2024-01-01 10:00:00",1,abc,,,"bn"\n'
        '"tom@example.org","Tom","","","",2,,,,,,,,,,,,,2,def,,,\n',
        default_language="en",
    )
    assert report.layout == "mailchimp"
    assert report.added == 2
    farida = Subscriber.objects.get(email="farida@example.org")
    assert (farida.name, farida.language) == ("ফরিদা ইয়াসমিন", "bn")
    tom = Subscriber.objects.get(email="tom@example.org")
    assert (tom.name, tom.language) == ("Tom", "en")


def test_mailchimp_unsubscribed_export_is_refused_whole():
    with pytest.raises(UnreadableFile, match="unsubscribed or cleaned"):
        run('"Email Address","First Name",UNSUB_TIME,UNSUB_REASON\nx@example.org,X,2024,\n')
    assert not Subscriber.objects.exists()


# Dry runs, unreadable files, transactions, idempotence


def test_dry_run_changes_nothing_and_reports_the_same_as_an_import():
    subscriber("known@example.org")
    content = "email,name\nnew@example.org,New\nknown@example.org,Known\nbad\nnew@example.org,\n"
    dry = run(content, dry_run=True)
    assert emails() == ["known@example.org"]
    assert Subscriber.objects.get().name == ""
    assert not import_logs().exists()
    real = run(content)
    assert dry.summary_lines()[1:] == real.summary_lines()[1:]
    assert "dry run" in dry.summary_lines()[0] and "dry run" not in real.summary_lines()[0]
    assert (real.added, real.updated, real.skipped_count) == (1, 1, 2)


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    content = "email,name,language\na@example.org,A,bn\nb@example.org,,en\nB@example.org,B,en\n"
    first = run(content)
    state = list(Subscriber.objects.order_by("email").values())
    logs = import_logs().count()
    second = run(content)
    assert (first.added, second.added, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert list(Subscriber.objects.order_by("email").values()) == state
    assert import_logs().count() == logs


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00rest of a workbook", "spreadsheet workbook"),
        ("email\na@example.org\n".encode("utf-16"), "UTF-16"),
        (b"%PDF-1.7\n", "PDF"),
        (b"name,language\nAmina,bn\n", "one of them must be “email”"),
        (
            b"email,name\nok@example.org,Ok\nlatin@example.org,Jos\xe9\n",
            "Line 3: The file is not UTF-8",
        ),
    ],
)
def test_unreadable_files_change_nothing_and_say_why(data, message):
    with pytest.raises(UnreadableFile, match=message):
        run(data)
    assert not Subscriber.objects.exists()


def test_an_error_late_in_a_big_file_rolls_back_rows_already_written():
    rows = "".join(f"person{i}@example.org\n" for i in range(CHUNK_SIZE + 500))
    data = ("email\n" + rows).encode() + b"caf\xe9@example.org\n"
    with pytest.raises(UnreadableFile, match=f"Line {CHUNK_SIZE + 502}:"):
        run(data)
    assert not Subscriber.objects.exists()
    assert not import_logs().exists()


def test_an_unexpected_error_rolls_everything_back(monkeypatch):
    from newsletter import importing

    calls = []
    real_flush = importing._Importer.flush

    def failing_flush(self):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_flush(self)

    monkeypatch.setattr(importing._Importer, "flush", failing_flush)
    rows = "".join(f"p{i}@example.org\n" for i in range(CHUNK_SIZE + 10))
    with pytest.raises(RuntimeError):
        run("email\n" + rows)
    assert len(calls) == 2
    assert not Subscriber.objects.exists()


def test_big_files_are_written_in_chunks_with_few_queries(django_assert_max_num_queries):
    rows = "".join(f"p{i}@example.org,Person {i},bn\n" for i in range(3 * CHUNK_SIZE))
    # Two rows per query at least would be per-row work; SQLite's 999-parameter limit makes
    # Django split bulk inserts into ~80-row statements, PostgreSQL's does not.
    with django_assert_max_num_queries(3 * CHUNK_SIZE // 25):
        report = run("email,name,language\n" + rows)
    assert report.added == 3 * CHUNK_SIZE
    assert Subscriber.objects.filter(language="bn", status="subscribed").count() == 3 * CHUNK_SIZE
    assert import_logs().count() == 3 * CHUNK_SIZE


# The command


def write(tmp_path, content, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def command(*args):
    out = io.StringIO()
    call_command("import_subscribers", *args, stdout=out)
    return out.getvalue()


def test_command_prints_counts_and_skipped_lines(tmp_path):
    subscriber("old@example.org", status=Status.UNSUBSCRIBED)
    path = write(tmp_path, "email,name\nnew@example.org,রহিম\nold@example.org,\nnope,\n")
    output = command(str(path), "--language", "bn")
    assert "CSV file “people.csv”\n" in output
    assert "Added: 1\nUpdated: 0\nUnchanged: 0\nSkipped: 2\n" in output
    assert "line 3: old@example.org: Unsubscribed: an import never" in output
    assert "line 4: nope: “nope” is not an e-mail address" in output
    assert Subscriber.objects.get(email="new@example.org").language == "bn"


def test_command_dry_run(tmp_path):
    path = write(tmp_path, "email\nnew@example.org\n")
    output = command(str(path), "--dry-run")
    assert "(dry run: nothing was changed)" in output and "Added: 1" in output
    assert not Subscriber.objects.exists()


def test_command_errors_change_nothing(tmp_path):
    with pytest.raises(CommandError, match="not UTF-8.*Nothing was changed"):
        command(str(write(tmp_path, b"email\nok@example.org\nJos\xe9@example.org\n")))
    with pytest.raises(CommandError, match="must be bn or en"):
        command(str(write(tmp_path, "email\nx@example.org\n")), "--language", "fr")
    with pytest.raises(CommandError, match="No such file"):
        command(str(tmp_path / "missing.csv"))
    assert not Subscriber.objects.exists()


# The admin upload form


@pytest.fixture
def officer_client(client, demo):
    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


def upload(client, content, name="members.csv", **data):
    raw = content.encode("utf-8") if isinstance(content, str) else content
    fields = {"language": "bn", "consent": "on", **data}
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, raw), **fields})


def test_listing_links_to_the_import_form_which_asks_officers_to_vouch_for_consent(officer_client):
    listing = officer_client.get("/admin/newsletter/subscribers/")
    assert IMPORT_URL in listing.content.decode()
    page = officer_client.get(IMPORT_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="consent"' in html and "I confirm that everyone in this file agreed" in html
    assert 'type="file"' in html


def test_admin_upload_imports_and_shows_the_report(officer_client):
    response = upload(
        officer_client,
        "email,name\nnew@example.org,Nasrin\nnot-an-address,X\n",
        name="নতুন.csv",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="added">1<' in html and 'data-count="skipped">1<' in html
    assert "not-an-address" in html and "it needs one @ and a domain" in html
    new = Subscriber.objects.get()
    assert (new.language, new.status, new.source) == ("bn", "subscribed", "import")
    assert "নতুন.csv" in new.consent_source and "officer" in new.consent_source
    assert ModelLogEntry.objects.for_instance(new).get().user.username == "officer"


def test_admin_upload_needs_the_consent_box_and_changes_nothing_without_it(officer_client):
    response = upload(officer_client, "email\nx@example.org\n", consent="")
    assert response.status_code == 200
    assert "only people who agreed to receive the newsletter may be imported" in (
        response.content.decode()
    )
    assert not Subscriber.objects.exists()


def test_admin_dry_run_and_unreadable_file(officer_client):
    response = upload(officer_client, "email\nx@example.org\n", dry_run="on")
    assert "Nothing was changed." in response.content.decode()
    assert 'data-count="added">1<' in response.content.decode()
    assert not Subscriber.objects.exists()
    response = upload(officer_client, b"PK\x03\x04 an xlsx workbook", name="list.xlsx")
    assert "spreadsheet workbook" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_admin_upload_of_a_file_spooled_to_disk(officer_client, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django writes the upload to a temporary file
    rows = "".join(f"p{i}@example.org,Person {i}\n" for i in range(300))
    response = upload(officer_client, "email,name\n" + rows)
    assert response.status_code == 200
    assert Subscriber.objects.count() == 300


def test_admin_upload_in_bangla_gives_bangla_reasons(officer_client):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(get_user_model().objects.get(username="officer"))
    profile.preferred_language = "bn"
    profile.save()
    response = upload(officer_client, "email,language\nno-at-sign,bn\nx@example.org,French\n")
    html = response.content.decode()
    assert "ইমপোর্টের প্রতিবেদন" in html
    assert "কোনো ই-মেইল ঠিকানা নয়" in html  # the address rules' own message
    assert "অজানা ভাষা “French”" in html


def test_translators_cannot_import(client, demo):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    response = upload(client, "email\nx@example.org\n")
    assert response.status_code in (302, 403)
    assert not Subscriber.objects.exists()


# Properties: no input breaks the importer, no valid row is lost

addresses = st.one_of(
    st.emails(),
    st.emails().map(str.upper),
    st.emails().map(lambda e: f"  {e} "),
    st.sampled_from(["user@বাংলা.example", "x@xn--54b7fta0cc.example", "bad", "", "a@", "@b"]),
    st.text(max_size=30),
)
text_without_surrogates = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
languages = st.one_of(
    st.sampled_from(["", "bn", "EN", "Bangla", "বাংলা", "ইংরেজি", "english", "fr", "xx"]),
    text_without_surrogates,
)
rows = st.lists(st.tuples(addresses, text_without_surrogates, languages), max_size=25)


def expected_valid_rows(generated, default_language="en"):
    """What the importer must keep: rows with a valid address and language, first occurrence."""
    kept = {}
    for address, _name, language in generated:
        if not any(cell.strip() for cell in (address, _name, language)):
            continue
        try:
            email = normalize_email(address)
        except ValidationError:
            continue
        code = parse_language(language, default=default_language)
        if code is None or email.lower() in kept:
            continue
        kept[email.lower()] = code
    return kept


def csv_bytes(generated, line_ending="\r\n"):
    """The rows as a spreadsheet would save them. With \n endings Python's writer would leave a
    lone \r unquoted (another line for any reader), so quote everything then."""
    out = io.StringIO(newline="")
    quoting = csv.QUOTE_MINIMAL if line_ending == "\r\n" else csv.QUOTE_ALL
    writer = csv.writer(out, lineterminator=line_ending, quoting=quoting)
    writer.writerow(["email", "name", "language"])
    writer.writerows(generated)
    return out.getvalue().encode("utf-8")


@hsettings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(generated=rows, line_ending=st.sampled_from(["\r\n", "\n"]), bom=st.booleans())
def test_property_no_input_row_breaks_the_import_or_is_lost(db, generated, line_ending, bom):
    data = (b"\xef\xbb\xbf" if bom else b"") + csv_bytes(generated, line_ending)
    with transaction.atomic():
        report = import_subscribers(io.BytesIO(data), file_name="generated.csv")
        expected = expected_valid_rows(generated)
        stored = {s.email.lower(): s for s in Subscriber.objects.all()}
        assert {key: s.language for key, s in stored.items()} == expected
        assert all(s.status == Status.SUBSCRIBED for s in stored.values())
        non_blank = sum(1 for row in generated if any(cell.strip() for cell in row))
        accounted = report.added + report.updated + report.unchanged + report.skipped_count
        assert report.added == len(expected) and accounted == non_blank
        lines = [s.line for s in report.skipped]
        assert lines == sorted(lines) and all(line >= 2 for line in lines)
        again = import_subscribers(io.BytesIO(data), file_name="generated.csv")
        assert again.added == again.updated == 0
        transaction.set_rollback(True)


@hsettings(max_examples=100, deadline=None)
@given(value=st.one_of(st.text(), st.emails(), st.emails().map(lambda e: e.upper() + " ")))
def test_property_normalize_email_raises_only_validation_error_and_is_idempotent(value):
    try:
        normalized = normalize_email(value)
    except ValidationError as exc:
        assert exc.messages  # a reason a person can read
        return
    assert normalize_email(normalized) == normalized
    assert email_key(value) == email_key(normalized) == normalized.lower()
    assert normalized == normalized.strip() and "@" in normalized


def test_consent_time_is_the_import_time():
    before = timezone.now()
    run("email\nwhen@example.org\n")
    new = Subscriber.objects.get()
    assert before <= new.consent_at <= timezone.now() + timedelta(seconds=1)
    assert new.consent_at == new.signed_up_at == new.confirmed_at
