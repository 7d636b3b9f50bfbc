"""The print edition: each edition of an issue as an A4 PDF, in Bangla and English.

The demo's December 2022 issue is the subject, printed by Debian's Chromium. Text is read back with
poppler's pdftotext and pdffonts, QR codes with zbarimg (Debian's poppler-utils and zbar-tools),
metadata with pypdf.
"""

import io
import os
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import RequestFactory
from pypdf import PdfReader
from wagtail.models import Locale, PageViewRestriction

from newsletter.checks import check_print_chromium
from newsletter.links import page_url
from newsletter.models import NewsletterIssuePage, PrintFile
from newsletter.models.prints import stored_print
from newsletter.printing import chromium_pdf, render_print
from newsletter.templatetags.newsletter_print import css_string
from website.models import CustomImage, SiteText

pytestmark = pytest.mark.django_db
TOOLS = ("pdftotext", "pdffonts", "pdfimages", "pdftoppm", "zbarimg")
if not all(shutil.which(tool) for tool in (*TOOLS, settings.PRINT_CHROMIUM)):
    message = (
        "Chromium, poppler-utils and zbar-tools are needed "
        "(apt-get install chromium fonts-noto-core poppler-utils zbar-tools)"
    )
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

FIGURES = {
    "en": ["260", "1,916", "5,911", "437", "1.26 million", "50%", "30 November 2022"],
    "bn": ["২৬০", "১,৯১৬", "৫,৯১১", "৪৩৭", "১২.৬", "৫০%", "৩০ ন"],
}
LATIN_FIGURES = ["1,916", "5,911", "437", "1.26", "50%"]


@pytest.fixture
def en_issue(demo):
    return NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")


@pytest.fixture
def bn_issue(en_issue):
    return en_issue.get_translation(Locale.objects.get(language_code="bn"))


@pytest.fixture
def issues(en_issue, bn_issue):
    return {"en": en_issue, "bn": bn_issue}


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_text(pdf, tmp_path):
    path = tmp_path / "edition.pdf"
    path.write_bytes(pdf)
    return run("pdftotext", "-enc", "UTF-8", str(path), "-")


def bookmark_titles(outline):
    """The titles of a PDF's bookmarks, nested ones included, in order."""
    titles = []
    for item in outline:
        titles.extend(bookmark_titles(item) if isinstance(item, list) else [item.title])
    return titles


def featured_urls(issue):
    """The URLs of the issue's featured items, in the issue's own language."""
    urls = []
    for block in issue.body:
        if block.block_type == "featured_item":
            page = block.value["page"].specific
            urls.append(page_url(page.get_translation(issue.locale)))
    return urls


@pytest.mark.parametrize("language", ["en", "bn"])
def test_text_holds_title_letter_and_every_figure_in_the_editions_digits(
    issues, language, tmp_path
):
    issue = issues[language]
    edition = render_print(issue)
    assert edition.pdf.startswith(b"%PDF-") and edition.pages >= 3
    text = " ".join(pdf_text(edition.pdf, tmp_path).split())
    for figure in FIGURES[language]:
        assert figure in text, figure
    if language == "en":
        assert issue.title in text
        assert "Dear friends and partners" in text  # the letter
        assert "Page 1 / " in text
    else:
        for latin in LATIN_FIGURES:
            assert latin not in text, latin
        assert "১ / " in text  # page numbers in Bengali digits
        assert re.search(r"২৬০\s*টি", text)  # the letter's figures, as written
    reader = PdfReader(io.BytesIO(edition.pdf))
    assert reader.metadata.title == issue.title
    assert reader.metadata.author


@pytest.mark.parametrize("language", ["en", "bn"])
def test_metadata_language_and_embedded_fonts(issues, language, tmp_path):
    edition = render_print(issues[language])
    reader = PdfReader(io.BytesIO(edition.pdf))
    assert reader.trailer["/Root"]["/Lang"] == language
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged: headings, paragraphs, figures
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == [issues[language].title]  # bookmarks: the issue, its headings inside
    inside = bookmark_titles(reader.outline[1:])
    sections = [b.value["text"] for b in issues[language].body if b.block_type == "section_heading"]
    assert sections and set(sections) <= set(inside)  # as written, even moved to the next page
    path = tmp_path / "edition.pdf"
    path.write_bytes(edition.pdf)
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # every font embedded
    images = run("pdfimages", "-list", str(path)).splitlines()[2:]
    assert len(images) >= 6 and all(line.split()[8] == "jpeg" for line in images)  # from storage
    bengali = [line for line in fonts if "Bengali" in line]
    if language == "bn":
        assert bengali, fonts  # Noto Sans Bengali, embedded and subset
        assert all(line.split()[-4] == "yes" for line in bengali)


def test_bangla_text_copies_as_written(bn_issue, tmp_path):
    """Copying or extracting Bangla from the PDF gives the words as the HTML has them: conjuncts
    (র্ক, ন্ত) and vowel signs drawn before their consonant (ে, ি) in Unicode order (Chromium
    writes each shaped cluster's text as /ActualText)."""
    path = tmp_path / "edition.pdf"
    edition = render_print(bn_issue)
    path.write_bytes(edition.pdf)
    programme = SiteText.objects.for_locale(bn_issue.locale)[0].programme_name
    assert programme == "বেটার ওয়ার্ক বাংলাদেশ"
    footer = f"{programme} · নিউজলেটার · ডিসেম্বর ২০২২"
    exact = [programme, bn_issue.title, footer]
    # In the order the page was written (what a viewer copies): exactly, up to line breaks
    raw = " ".join(run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-").split())
    for text in exact:
        assert " ".join(text.split()) in raw, text
    assert raw.count(footer) == edition.pages - 1  # the running footer, on every page but the first
    # poppler may add a space after a cluster ending in a zero-width mark (ওয়ার্ক ,), and in its
    # reading-order layout inside a word too (অন্তর্ভু ক্তি), but never reorders or drops a letter
    layout = run("pdftotext", "-enc", "UTF-8", str(path), "-")
    for text in [*exact, bn_issue.preheader]:
        letters = "".join(text.split())
        assert letters in raw.replace(" ", "") and letters in "".join(layout.split()), text


@pytest.mark.parametrize("language", ["en", "bn"])
def test_every_qr_code_decodes_to_the_items_page_in_the_same_language(issues, language, tmp_path):
    issue = issues[language]
    (tmp_path / "edition.pdf").write_bytes(render_print(issue).pdf)
    pdf = str(tmp_path / "edition.pdf")
    run("pdftoppm", "-r", "150", "-gray", "-png", pdf, str(tmp_path / "p"))
    pages = sorted(str(path) for path in tmp_path.glob("p-*.png"))
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", *pages],
        capture_output=True,
        text=True,
    ).stdout.split()
    expected = featured_urls(issue)
    assert expected and all(f"/{language}/" in url for url in expected)
    for url in expected:
        assert url in decoded, (url, decoded)
    on_site = [url for url in decoded if url.startswith("https://betterwork.example.org/")]
    assert all(f"/{language}/" in url for url in on_site), on_site  # never the other language
    assert page_url(issue) in decoded  # the issue on the web, on the last page


def test_served_under_the_issue_with_a_filename_in_its_language_and_date(client, issues):
    for language, issue in issues.items():
        response = client.get(f"{issue.url}pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert (
            f'filename="better-work-bangladesh-newsletter-2022-12-{language}.pdf"'
            in response["Content-Disposition"]
        )
        body = response.content
        assert PdfReader(io.BytesIO(body)).trailer["/Root"]["/Lang"] == language
        assert stored_print(issue).size == len(body)


def test_stored_once_per_revision_and_language_and_changed_only_by_a_new_publish(
    client, en_issue, django_capture_on_commit_callbacks
):
    url = f"{en_issue.url}pdf/"
    first = client.get(url).content
    stored = stored_print(en_issue)
    assert stored is not None
    assert client.get(url).content == first
    assert PrintFile.objects.filter(revision_id=en_issue.live_revision_id).count() == 1

    # a draft changes nothing that is served
    en_issue.title = "A draft title"
    with django_capture_on_commit_callbacks(execute=True):
        en_issue.save_revision()
    en_issue.refresh_from_db()
    assert client.get(url).content == first
    assert stored_print(en_issue) == stored

    # publishing renders the new revision's PDF in the background task, on commit
    with django_capture_on_commit_callbacks(execute=True):
        en_issue.get_latest_revision().publish()
    en_issue.refresh_from_db()
    published = stored_print(en_issue)
    assert published is not None and published != stored
    body = client.get(url).content
    assert body != first
    assert PdfReader(io.BytesIO(body)).metadata.title == "A draft title"
    # the earlier revision's PDF is removed, row and file: one file per edition in the storage
    assert not PrintFile.objects.filter(pk=stored.pk).exists()
    assert not default_storage.exists(stored.file.name)
    assert default_storage.exists(published.file.name)


def test_draft_preview_is_rendered_never_stored(en_issue, admin_user):
    assert "print" in dict(en_issue.preview_modes)
    files = PrintFile.objects.count()
    draft = en_issue.get_latest_revision_as_object()
    draft.title = "Only in the draft"
    request = RequestFactory().get("/")
    request.user = admin_user
    response = draft.serve_preview(request, "print")
    assert response["Content-Type"] == "application/pdf"
    assert PdfReader(io.BytesIO(response.content)).metadata.title == "Only in the draft"
    assert PrintFile.objects.count() == files


def test_no_public_pdf_of_unpublished_or_private_issues(client, en_issue, bn_issue):
    bn_url = f"{bn_issue.url}pdf/"
    PageViewRestriction.objects.create(
        page=en_issue, restriction_type=PageViewRestriction.PASSWORD, password="secret-words"
    )
    response = client.get(f"{en_issue.url}pdf/")
    assert response.get("Content-Type") != "application/pdf"
    bn_issue.unpublish()
    assert client.get(bn_url).status_code == 404


def test_a_pdf_being_rendered_elsewhere_gets_a_being_prepared_page(client, en_issue):
    PrintFile.objects.all().delete()
    lock = f"newsletter:print-lock:{en_issue.live_revision_id}:en"
    cache.add(lock, 1, 60)
    response = client.get(f"{en_issue.url}pdf/")
    assert response.status_code == 503 and response["Retry-After"]
    assert "being prepared" in response.content.decode()
    assert "<script" not in response.content.decode().split("</head>")[0]
    assert not PrintFile.objects.exists()


def test_a_failed_render_is_logged_never_a_500_and_leaves_no_file(
    client, en_issue, monkeypatch, caplog
):
    PrintFile.objects.all().delete()

    def broken(issue):
        raise RuntimeError("layout failed")

    monkeypatch.setattr("newsletter.models.prints.render_print", broken)
    before = (
        default_storage.listdir("newsletter/print")[1]
        if default_storage.exists("newsletter/print")
        else []
    )
    response = client.get(f"{en_issue.url}pdf/")
    assert response.status_code == 503
    assert f"issue {en_issue.pk} (en)" in caplog.text
    assert not PrintFile.objects.exists()
    after = (
        default_storage.listdir("newsletter/print")[1]
        if default_storage.exists("newsletter/print")
        else []
    )
    assert after == before


def test_issue_page_links_the_print_edition_with_its_size_in_the_editions_digits(client, bn_issue):
    client.get(f"{bn_issue.url}pdf/")  # stored now
    html = client.get(bn_issue.url).content.decode()
    link = re.search(r'<a href="([^"]+)" download>([^<]+)</a>', html)
    assert link and link.group(1) == f"{bn_issue.url}pdf/"
    assert re.search(r"[০-৯]", link.group(2)) and not re.search(r"[0-9]", link.group(2))


def test_a_missing_image_file_is_left_out_and_reported(en_issue, tmp_path):
    # An image row whose file is gone (the storage itself is left alone: other tests share it).
    missing = CustomImage.objects.create(
        title="Lost photo", file="original_images/lost-photo.jpg", width=800, height=600
    )
    body = list(en_issue.body.raw_data)
    first = next(i for i, block in enumerate(body) if block["type"] == "featured_item")
    body[first] = {**body[first], "value": {**body[first]["value"], "image": missing.pk}}
    en_issue.body = body
    page = en_issue.body[first].value["page"].specific
    edition = render_print(en_issue)
    text = " ".join(pdf_text(edition.pdf, tmp_path).split())
    assert en_issue.title in text and page.title in text  # the item stays, without its image
    assert [note.title for note in en_issue.edition().missing_images] == [page.title]
    assert [note.problem for note in edition.notes] == ["image"]


def test_a_stored_pdf_whose_file_was_lost_is_rendered_again_not_a_500(client, en_issue):
    url = f"{en_issue.url}pdf/"
    client.get(url)
    lost = stored_print(en_issue)
    default_storage.delete(lost.file.name)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    again = stored_print(en_issue)
    assert again.pk != lost.pk and default_storage.exists(again.file.name)


def test_readiness_shows_each_editions_pdf_pages_and_size(client, en_issue, admin_client):
    client.get(f"{en_issue.url}pdf/")
    stored = stored_print(en_issue)
    html = admin_client.get(f"/admin/pages/{en_issue.pk}/edit/").content.decode()
    assert f"{stored.pages} pages" in html


@pytest.mark.parametrize("language", ["en", "bn"])
def test_both_email_editions_link_the_print_edition(issues, language):
    issue = issues[language]
    edition = issue.edition()
    url = f"{page_url(issue)}pdf/"
    assert f'href="{url}"' in edition.html
    assert url in edition.text
    label = "ছাপা সংস্করণ" if language == "bn" else "Download the print edition (PDF"
    assert label in edition.html and label in edition.text


@pytest.mark.parametrize("language", ["en", "bn"])
def test_email_editions_give_the_stored_pdfs_size_in_their_language(client, issues, language):
    issue = issues[language]
    PrintFile.objects.all().delete()
    cache.clear()
    assert "(PDF)" in issue.edition().text  # no size while the PDF is not stored
    client.get(f"{issue.url}pdf/")  # stored now
    edition = issue.edition()
    size = re.search(r"\(PDF, ([^)]+)\)", edition.text)
    assert size and size.group(1) in edition.html
    digits = "[০-৯]" if language == "bn" else "[0-9]"
    assert re.search(digits + r"+(\.\d+|\.[০-৯]+)? (KB|MB)", size.group(1))
    if language == "bn":
        assert not re.search(r"[0-9]", size.group(1))


def test_render_newsletter_writes_the_pdf(en_issue, tmp_path):
    out = io.StringIO()
    call_command(
        "render_newsletter", str(en_issue.pk), "--locale", "bn", "--out", str(tmp_path), stdout=out
    )
    pdf = (tmp_path / "december-2022.bn.pdf").read_bytes()
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "bn"
    assert ".pdf written" in out.getvalue()


def test_a_very_long_word_and_a_very_long_paragraph_wrap_inside_the_page(bn_issue, tmp_path):
    word = "অআইঈউঊঋএঐওঔ" * 30  # 330 letters without a break opportunity
    body = list(bn_issue.body.raw_data)
    body.insert(0, {"type": "paragraph", "value": f"<p>{word}</p>" + "<p>শব্দ ১২৩ </p>" * 400})
    bn_issue.body = body
    (tmp_path / "long.pdf").write_bytes(render_print(bn_issue).pdf)
    boxes = run("pdftotext", "-bbox", str(tmp_path / "long.pdf"), "-")
    page_width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes)]
    assert right_edges and max(right_edges) < page_width - 30  # within the right margin
    assert "অআইঈউঊঋএঐওঔ" in run("pdftotext", str(tmp_path / "long.pdf"), "-")


def test_archive_cards_link_each_print_edition_with_its_size(client, bn_issue):
    client.get(f"{bn_issue.url}pdf/")  # stored now
    archive = bn_issue.get_parent()
    html = client.get(archive.url).content.decode()
    links = re.findall(r'<a href="([^"]+)" download>([^<]+)</a>', html)
    assert (f"{bn_issue.url}pdf/", links[0][1]) in links
    label = dict(links)[f"{bn_issue.url}pdf/"]
    assert "ছাপা সংস্করণ" in label and re.search(r"[০-৯]", label)


def test_cached_and_purged_like_the_issue_page(
    client, en_issue, settings, purged, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_S_MAXAGE = 300
    url = f"{en_issue.url}pdf/"
    first = client.get(url)
    assert "public" in first["Cache-Control"] and "s-maxage=300" in first["Cache-Control"]
    again = client.get(url)
    assert again.content == first.content
    en_issue.title = "Republished"
    with django_capture_on_commit_callbacks(execute=True):
        en_issue.save_revision().publish()
    assert url in purged() and en_issue.url in purged()  # through frontend_cache, together
    fresh = client.get(url)
    assert PdfReader(io.BytesIO(fresh.content)).metadata.title == "Republished"


def test_publishing_the_translation_renders_only_its_own_edition(
    en_issue, bn_issue, django_capture_on_commit_callbacks
):
    en_before, bn_before = stored_print(en_issue), stored_print(bn_issue)
    bn_issue.title = "নতুন শিরোনাম"
    with django_capture_on_commit_callbacks(execute=True):
        bn_issue.save_revision().publish()
    bn_issue.refresh_from_db()
    en_issue.refresh_from_db()
    stored = stored_print(bn_issue)
    assert stored is not None and stored != bn_before and stored.language == "bn"
    with stored.file.open("rb") as file:
        assert PdfReader(file).metadata.title == "নতুন শিরোনাম"
    assert stored_print(en_issue) == en_before


def test_deploy_check_warns_when_chromium_is_missing(settings, tmp_path):
    assert check_print_chromium() == []  # Debian's chromium, as the tests need
    settings.PRINT_CHROMIUM = str(tmp_path / "no-chromium")
    assert [warning.id for warning in check_print_chromium()] == ["newsletter.W201"]


def test_nothing_is_fetched_over_the_network_and_no_script_runs(caplog):
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Offline</title>'
        '<link rel="stylesheet" href="https://fonts.example.org/print.css"></head><body>'
        '<img src="https://images.example.org/photo.jpg" alt="">'
        "<script>document.title = 'Script ran'</script><p>Text</p></body></html>"
    )
    pdf = chromium_pdf(html)
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Offline"
    assert "refused to fetch https://fonts.example.org/print.css" in caplog.text
    assert "refused to fetch https://images.example.org/photo.jpg" in caplog.text


def test_texts_in_the_stylesheet_cannot_end_their_string_or_the_style_element():
    written = css_string('Better "Work" \\ </style><script>x</script>\n&')
    assert written.startswith('"') and written.endswith('"')
    inside = written[1:-1]
    assert not any(c in inside for c in '"<>&\n') and "\\\\" not in inside
    assert css_string("বেটার ওয়ার্ক বাংলাদেশ · নিউজলেটার") == '"বেটার ওয়ার্ক বাংলাদেশ · নিউজলেটার"'
