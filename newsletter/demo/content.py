"""The December 2022 issue of the newsletter, in our own words from the programme's facts.

Items name demo pages by slug; the loader resolves them. Texts typed here are translated through
`translations/bn.po`; the pages the items point at bring their own Bangla.
"""

import datetime
from decimal import Decimal

ARCHIVE = {
    "title": "Newsletter",
    "slug": "newsletter",
    "intro": (
        "<p>Our newsletter brings the programme's news, stories and events to your inbox, in "
        "Bangla or English. Past issues are kept here.</p>"
    ),
}


def figure(value, unit, label, note=""):
    return {"value": Decimal(value), "unit": unit, "label": label, "note": note}


def featured(slug, button_label="", heading="", summary=""):
    return (
        "featured_item",
        {
            "page": slug,
            "heading": heading,
            "summary": summary,
            "image": None,
            "button_label": button_label,
        },
    )


ISSUE = {
    "title": "2022 in review: partnership and inclusion for sustainable growth",
    "slug": "december-2022",
    "subject": "2022 in review: a new strategy and 1.26 million workers supported",
    "preheader": (
        "The Business Forum, our Strategy 2022–2027, Mothers@Work, trade unions and data, and "
        "the 16 Days of Activism."
    ),
    "issue_date": datetime.date(2022, 12, 20),
    "letter": (
        "<p>Dear friends and partners,</p>"
        "<p>2022 was a year of new beginnings for Better Work Bangladesh. At our Business Forum "
        "in November, about 400 people from government, factories, brands, trade unions and "
        "development partners joined us to launch the Strategy 2022–2027.</p>"
        "<p>Together we assessed 260 factories, made 1,916 advisory visits and trained 5,911 "
        "workers and managers. Thank you for standing with the workers of the garment sector. "
        "We look forward to another year of partnership.</p>"
    ),
    "signatory_name": "Nusrat Jahan",  # a fictional name, as every person of the demo
    "signatory_role": "Programme Manager, Better Work Bangladesh",
    "body": [
        featured("business-forum-2022", button_label="Read about the forum"),
        featured("strategy-2022-2027-launched", button_label="Read the strategy news"),
        (
            "statistics",
            {
                "heading": "Better Work in 2022",
                "as_of": datetime.date(2022, 11, 30),  # before the issue's date
                "source": "Better Work Bangladesh",
                "figures": [
                    figure("260", "", "factories assessed"),
                    figure("1916", "", "advisory visits"),
                    figure("199", "", "trainings conducted"),
                    figure("5911", "", "workers and managers trained"),
                ],
            },
        ),
        (
            "statistics",
            {
                "heading": "Programme reach",
                "as_of": datetime.date(2022, 11, 30),  # before the issue's date
                "source": "Better Work Bangladesh",
                "figures": [
                    figure("437", "", "factories enrolled"),
                    figure("1.26", "million", "workers supported"),
                    figure("50", "%", "of supported workers are women"),
                ],
            },
        ),
        ("section_heading", {"text": "Stories from the factories", "level": "h2"}),
        (
            "item_list",
            {
                "heading": "",
                "pages": [
                    "mothers-at-work",
                    "trade-unions-empowered-with-data",
                    "amfori-master-trainers",
                    "sixteen-days-of-activism-apex-holding",
                ],
            },
        ),
        featured("16-days-of-activism-2022", button_label="See the campaign"),
        (
            "video",
            {
                # A placeholder on example.org, as the social links: officers put the video's
                # own address (YouTube, Vimeo or a video file).
                "url": "https://video.example.org/betterwork-bangladesh/business-forum.webm",
                "title": "Business Forum 2022 on video",
                "caption": "Highlights of two days of dialogue in Dhaka.",
                "thumbnail": "video-thumbnail",
            },
        ),
        ("divider", None),
        (
            "paragraph",
            "<p>Our work is made possible by our donor partners, among them the Government of "
            "Switzerland. Thank you for your support in 2022.</p>",
        ),
        (
            "call_to_action",
            {
                "heading": "Stay in touch",
                "text": "Follow our news and stories on the website, in Bangla and English.",
                "button_label": "Visit the website",
                "page": "home",
                "url": "",
            },
        ),
    ],
}
