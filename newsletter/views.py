"""What subscribers see: sign-up, confirmation, unsubscribe (page and RFC 8058 one-click),
preferences. Pages reached through a subscriber's link speak the subscriber's language.

No page tells whether an address is on the list: sign-up answers the same for every address.
"""

import contextlib
import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from wagtail.log_actions import log
from wagtail.models import Locale

from website.localize import localize
from website.models import Topic

from . import clicks
from .emails import send_welcome_task
from .forms import CONSENT_TEXT, EraseForm, LanguageForm, ProfileForm, SignupForm
from .models import LANGUAGE_CHOICES, Click, Status, Subscriber
from .signups import public_source, signup_task
from .tokens import ExpiredToken, InvalidToken, link_token, unsign_click, unsign_open

SIGNUP_ADDRESS_RATE = "5/15m"  # sign-ups of one e-mail address
SIGNUP_CLIENT_RATE = "200/15m"  # sign-ups from one client address (many people behind one NAT)


def signup_context(form):
    """The sign-up page: the form, and the privacy notice every e-mail's footer links to."""
    return {
        "form": form,
        "tracks_clicks": settings.NEWSLETTER_TRACK_CLICKS,
        "tracks_opens": settings.NEWSLETTER_TRACK_OPENS,
    }


@csrf_exempt  # double opt-in, a honeypot and a rate limit guard it; pages stay cacheable
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    language = translation.get_language()
    if request.method in ("GET", "HEAD"):
        return render(
            request, "newsletter/signup.html", signup_context(SignupForm(language=language))
        )
    form = SignupForm(request.POST, language=language)
    if form.is_bot:
        return redirect("newsletter:check_inbox")
    if not form.is_valid():  # typos use up no quota
        return render(request, "newsletter/signup.html", signup_context(form), status=400)
    email = form.cleaned_data["email"]
    if signup_limited(request, email):
        return render(request, "newsletter/too_many.html", status=429)
    # The same work for every address (one queued task), so the answer's timing tells nothing.
    signup_task.enqueue(
        email=email,
        language=form.cleaned_data["language"],
        consent_text=str(CONSENT_TEXT),
        consent_source=public_source(request.POST.get("source_page"), request.path),
        consent_at=timezone.now().isoformat(),
    )
    return redirect("newsletter:check_inbox")


def signup_limited(request, email):
    """Sign-ups per submitted address (a mailbox flooded with confirmation e-mails) and per
    client address, with a threshold that a factory's Wi-Fi or a mobile carrier's NAT, which
    put hundreds of people behind one address, will not reach (django-ratelimit)."""
    by_address = is_ratelimited(
        request,
        group="newsletter-signup-address",
        key=lambda _group, _request: email.lower(),
        rate=SIGNUP_ADDRESS_RATE,
        increment=True,
    )
    by_client = is_ratelimited(
        request, group="newsletter-signup-client", key="ip", rate=SIGNUP_CLIENT_RATE, increment=True
    )
    return by_address or by_client


def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


def _link_problem(request, expired=False):
    return render(
        request,
        "newsletter/link_problem.html",
        {"expired": expired, "form": SignupForm(language=translation.get_language())},
        status=400,
    )


def _in_subscriber_language(request, subscriber, view_name, token):
    """A redirect to the same page in the subscriber's language, when the URL has another,
    unless the visitor chose the URL's language in the language switcher (its cookie)."""
    language = translation.get_language()
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) == language
    if request.method in ("GET", "HEAD") and language != subscriber.reading_language and not chosen:
        with translation.override(subscriber.reading_language):
            return HttpResponseRedirect(reverse(view_name, args=[token]))
    return None


@never_cache  # pages reached through one subscriber's link: no cache may keep them
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a "Confirm" button (mail scanners and link previews open links: they must not
    confirm an address nobody confirmed); POST confirms. The link works from any device."""
    try:
        subscriber = Subscriber.objects.from_confirmation_token(token)
    except ExpiredToken:
        return _link_problem(request, expired=True)
    except InvalidToken:
        return _link_problem(request)
    moved = _in_subscriber_language(request, subscriber, "newsletter:confirm", token)
    if moved:
        return moved
    if subscriber.status == Status.PENDING:
        if request.method != "POST":
            return render(request, "newsletter/confirm.html", {"subscriber": subscriber})
        subscriber.confirm()
        log(instance=subscriber, action="newsletter.confirm")
        send_welcome_task.enqueue(subscriber.pk)
    elif subscriber.status != Status.SUBSCRIBED:
        return _link_problem(request)  # unsubscribed since: only a new sign-up brings them back
    # The optional questions (who they are, topics) come here, not on the sign-up form, which
    # stays three fields long on a phone; they post to the preferences page.
    return render(
        request,
        "newsletter/confirmed.html",
        {
            "subscriber": subscriber,
            "profile_form": ProfileForm.for_subscriber(subscriber),
            "preferences_url": reverse("newsletter:preferences", args=[link_token(subscriber)]),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows one button (link scanners must not unsubscribe anybody); POST unsubscribes."""
    try:
        subscriber = Subscriber.objects.from_link_token(token)
    except InvalidToken:
        return _link_problem(request)
    moved = _in_subscriber_language(request, subscriber, "newsletter:unsubscribe", token)
    if moved:
        return moved
    if request.method == "POST":
        if subscriber.unsubscribe():
            log(instance=subscriber, action="newsletter.unsubscribe", data={"via": "page"})
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    return render(
        request, "newsletter/unsubscribe.html", {"subscriber": subscriber, "token": token}
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def one_click_unsubscribe(request, token):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, without cookies or CSRF.

    Opened in a browser (GET), the address leads to the unsubscribe page, which asks for one
    click: link scanners fetching it unsubscribe nobody.
    """
    if request.method != "POST":
        try:
            subscriber = Subscriber.objects.from_link_token(token)
        except InvalidToken:
            return _link_problem(request)
        with translation.override(subscriber.reading_language):
            return HttpResponseRedirect(reverse("newsletter:unsubscribe", args=[token]))
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponse(
            "Expected the form field List-Unsubscribe=One-Click (RFC 8058).\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        subscriber = Subscriber.objects.from_link_token(token)
    except InvalidToken:
        return HttpResponse("Unknown or altered link.\n", status=400, content_type="text/plain")
    if subscriber.unsubscribe():
        log(instance=subscriber, action="newsletter.unsubscribe", data={"via": "one-click"})
    return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    try:
        subscriber = Subscriber.objects.from_link_token(token)
    except InvalidToken:
        return _link_problem(request)
    moved = _in_subscriber_language(request, subscriber, "newsletter:preferences", token)
    if moved:
        return moved
    language_form = LanguageForm(initial={"language": subscriber.language})
    profile_form = ProfileForm.for_subscriber(subscriber)
    erase_form = EraseForm()
    message = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "language":
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                new = language_form.cleaned_data["language"]
                if new != subscriber.language:
                    log(
                        instance=subscriber,
                        action="newsletter.language",
                        data={"from": subscriber.language, "to": new},
                    )
                    subscriber.language = new
                    subscriber.save(update_fields=["language", "updated_at"])
                with translation.override(subscriber.reading_language):
                    return HttpResponseRedirect(
                        reverse("newsletter:preferences", args=[token]) + "?saved=language"
                    )
        elif action == "profile":
            profile_form = ProfileForm.for_subscriber(subscriber, request.POST)
            if profile_form.is_valid():
                profile_form.save(subscriber)
                log(instance=subscriber, action="newsletter.profile")
                return HttpResponseRedirect(request.path + "?saved=profile#about-you")
        elif action == "unsubscribe":
            if subscriber.unsubscribe():
                log(instance=subscriber, action="newsletter.unsubscribe", data={"via": "prefs"})
            return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
        elif action == "download":
            response = HttpResponse(
                json.dumps(subscriber.personal_data(), ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="my-newsletter-data.json"'
            return response
        elif action == "erase":
            erase_form = EraseForm(request.POST)
            if erase_form.is_valid():
                subscriber.erase()
                return render(request, "newsletter/erased.html")
    elif request.GET.get("saved") in ("language", "profile"):
        message = request.GET["saved"]
    return render(
        request,
        "newsletter/preferences.html",
        {
            "subscriber": subscriber,
            "token": token,
            "language_form": language_form,
            "profile_form": profile_form,
            "erase_form": erase_form,
            "message": message,
            "tracks_clicks": settings.NEWSLETTER_TRACK_CLICKS,
            "tracks_opens": settings.NEWSLETTER_TRACK_OPENS,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def my_data(request, token):
    """Everything stored about the subscriber as a page in their language, with the JSON
    download ("download" on the preferences page) beside it: the same records, read the same way
    as `Subscriber.personal_data`."""
    try:
        subscriber = Subscriber.objects.from_link_token(token)
    except InvalidToken:
        return _link_problem(request)
    moved = _in_subscriber_language(request, subscriber, "newsletter:my_data", token)
    if moved:
        return moved
    language = Locale.objects.get(language_code=subscriber.reading_language)
    topics = localize(subscriber.topics.all(), language, Topic.objects.all())
    editions = dict(LANGUAGE_CHOICES)
    return render(
        request,
        "newsletter/my_data.html",
        {
            "subscriber": subscriber,
            "token": token,
            "topics": sorted(topic.name for topic in topics),
            "labels": [label.name for label in subscriber.labels.all()],
            "deliveries": [
                (delivery, editions.get(delivery.language, delivery.language))
                for delivery in subscriber.deliveries.select_related("send__issue").order_by("pk")
            ],
            "clicks": [
                (click, subscriber.clicked_link(click))
                for click in Click.objects.filter(delivery__subscriber=subscriber)
                .select_related("send__issue")
                .order_by("at", "pk")
            ],
        },
    )


# Tracked links and the open image (newsletter/clicks.py): outside the language prefix.

PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _click_problem(request, language, issue_url=""):
    """A tracked link that names no link we sent: a page in the reader's language with a way on,
    never a redirect to anything taken from the URL."""
    languages = dict(settings.LANGUAGES)
    language = language if language in languages else translation.get_language()
    with translation.override(language):
        response = render(
            request,
            "newsletter/click_problem.html",
            {"home_url": f"/{language}/", "issue_url": issue_url},
            status=400,  # a 404 outside the language prefix would be redirected into it
        )
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD"])
def click(request, token):
    """A click on a tracked link: recorded, then a 302 to the link's target in the frozen
    edition."""
    try:
        delivery_id, position = unsign_click(token)
    except InvalidToken:
        return _click_problem(request, "")
    delivery = clicks.clicked_delivery(delivery_id, position)
    if delivery is None:
        return _click_problem(request, "")
    links = clicks.frozen_links(delivery.send_id, delivery.language)
    if position >= len(links):
        return _click_problem(request, delivery.language, clicks.issue_url(delivery))
    clicks.record_click(delivery, position, request)
    response = HttpResponseRedirect(clicks.target(links[position], delivery.language))
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD"])
def opened(request, token):
    """The 1x1 open image: the first fetch marks the delivery opened; any token gets the image.
    A HEAD (a link checker asking whether the image exists) fetches no image and opens nothing."""
    if request.method == "GET":
        with contextlib.suppress(InvalidToken):
            clicks.record_open(unsign_open(token))
    response = HttpResponse(PIXEL, content_type="image/gif")
    add_never_cache_headers(response)
    return response
