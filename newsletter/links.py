"""Every link a newsletter e-mail carries, built in one place.

- `absolute_url` and `page_url`: site paths made absolute on the configured base URL (https in
  production), with the language prefix of the page.
- `PLACEHOLDERS`: the per-recipient links an edition is rendered with; `Edition.personalize`
  fills them in at send time, so nothing per recipient is rendered or compiled again.
- `recipient_links(subscriber)`: the subscriber's own signed links (unsubscribe, preferences,
  language, RFC 8058 one-click), in their language; `RecipientLinks` gives the same for a whole
  batch, reversing the URLs once per language.
- `subscribe_url(language)`: the sign-up page (the footer's link for forwarded copies, and the
  List-Subscribe header).
- `sample_links(language)`: what previews and test sends carry instead (the sign-up page), so
  nothing anyone clicks in a test changes a real subscription.
- `confirmation_url(subscriber)`: the double opt-in link.
"""

import re
from html import escape, unescape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .tokens import click_token, confirmation_token, link_token, open_token

# Filled per recipient at send time (recipient_links).
PLACEHOLDERS = {
    "unsubscribe": "%%UNSUBSCRIBE_URL%%",
    "preferences": "%%PREFERENCES_URL%%",
    "language": "%%LANGUAGE_URL%%",
}
# Every key of a recipient's links: the placeholders, and the one-click URL (a header only).
LINK_KEYS = (*PLACEHOLDERS, "one_click")


def absolute_url(path):
    """An absolute URL on the site's configured base URL (https in production)."""
    if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path):
        return path or ""
    return f"{settings.WAGTAILADMIN_BASE_URL}/{path.lstrip('/')}"


def page_url(page):
    """The page's absolute URL on the configured base URL, with its language prefix."""
    parts = page.get_url_parts()
    return absolute_url(parts[2]) if parts else ""


def token_links(language, token):
    """The links a subscriber's signed `token` opens, in `language`."""
    with translation.override(language):
        preferences = absolute_url(reverse("newsletter:preferences", args=[token]))
        return {
            "unsubscribe": absolute_url(reverse("newsletter:unsubscribe", args=[token])),
            "preferences": preferences,
            "language": f"{preferences}#language",
            "one_click": absolute_url(reverse("newsletter_one_click", args=[token])),
        }


def recipient_links(subscriber):
    """The subscriber's own signed links, in their language."""
    return token_links(subscriber.reading_language, link_token(subscriber))


TOKEN_PLACEHOLDER = "0TOKEN0"  # noqa: S105 (a placeholder, not a secret)


class RecipientLinks:
    """`recipient_links` for a whole batch: the URLs are reversed once per language and only
    the subscriber's token is signed and put in per recipient (same result, a fraction of the
    work)."""

    def __init__(self):
        self.parts = {}

    def __call__(self, subscriber):
        language = subscriber.reading_language
        parts = self.parts.get(language)
        if parts is None:
            links = token_links(language, TOKEN_PLACEHOLDER)
            parts = self.parts[language] = {
                key: url.split(TOKEN_PLACEHOLDER) for key, url in links.items()
            }
        token = link_token(subscriber)
        return {key: token.join(pieces) for key, pieces in parts.items()}


def subscribe_url(language):
    """The sign-up page in `language`."""
    with translation.override(language):
        return absolute_url(reverse("newsletter:subscribe"))


def sample_links(language):
    """Links for previews and test sends to people who are not subscribers: the sign-up page,
    so nothing anyone clicks in a test changes a real subscription."""
    return dict.fromkeys(LINK_KEYS, subscribe_url(language))


def confirmation_url(subscriber):
    """The double opt-in link of the subscriber's current sign-up, in their language."""
    token = confirmation_token(subscriber)
    with translation.override(subscriber.reading_language):
        return absolute_url(reverse("newsletter:confirm", args=[token]))


# Tracked links: at the start of a send every link of a frozen edition (HTML and text) that is
# not a subscriber's own link becomes a placeholder naming its position; each recipient's message
# carries a signed /r/<token> URL in its place (`click_links`), naming the delivery and the
# position, never the target. The redirect looks the target up in the frozen edition.

HREF = re.compile(r'(<a\s[^>]*?href=")(https?://[^"]+)"')
TEXT_URL = re.compile(r"https?://[^\s<>\"()]+[^\s<>\"().,;:!?]")
OPEN_PLACEHOLDER = "%%OPEN_URL%%"


def click_key(position):
    return f"click{position}"


def click_placeholder(position):
    return f"%%CLICK{position}%%"


def edition_placeholders(links):
    """{placeholder: key} of every per-recipient link an edition with `links` tracked links
    carries (the subscription placeholders, the tracked links, the open image)."""
    names = {marker: key for key, marker in PLACEHOLDERS.items()}
    names.update({click_placeholder(i): click_key(i) for i in range(len(links))})
    names[OPEN_PLACEHOLDER] = "open"
    return names


def with_utm(url, campaign):
    """`url` with the UTM parameters of the newsletter appended (site links only)."""
    if not url.startswith(f"{settings.WAGTAILADMIN_BASE_URL}/"):
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    query += [("utm_source", "newsletter"), ("utm_medium", "email"), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def track_links(html, text, *, campaign="", track=True, opens=False):
    """(html, text, links) of a frozen edition: each link's target (with UTM parameters when
    `campaign` is given) listed once in order of first appearance, and, when `track`, replaced
    in both parts by its placeholder; with `opens`, the 1x1 open image before </body>."""
    links = []
    positions = {}

    def position(url):
        if url not in positions:
            positions[url] = len(links)
            links.append(with_utm(url, campaign) if campaign else url)
        return positions[url]

    def replace(url, quote):
        target = position(url)
        if track:
            return click_placeholder(target)
        return escape(links[target]) if quote else links[target]

    html = HREF.sub(lambda m: f'{m.group(1)}{replace(unescape(m.group(2)), True)}"', html)
    text = TEXT_URL.sub(lambda m: replace(m.group(0), False), text)
    if opens:
        image = f'<img src="{OPEN_PLACEHOLDER}" width="1" height="1" alt="" style="border:0">'
        html = html.replace("</body>", f"\n{image}\n</body>", 1)
    return html, text, links


def click_links(delivery_id, count, opens=False):
    """The tracked links of one delivery's message: {click0: .../r/<token>, ...}."""
    base = absolute_url("/r/")
    links = {click_key(i): base + click_token(delivery_id, i) for i in range(count)}
    if opens:
        links["open"] = absolute_url(f"/o/{open_token(delivery_id)}.gif")
    return links
