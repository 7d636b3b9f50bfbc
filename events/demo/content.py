"""Events of the demo site, from the programme's facts of 2022, in our own words.

Times are Bangladesh time. The Bangla of every string is in translations/bn.po.
"""

import datetime
from zoneinfo import ZoneInfo

from website.demo.content import figure

DHAKA = ZoneInfo("Asia/Dhaka")

CATEGORIES = [
    # (slug, English name)
    ("forum", "Forum"),
    ("campaign", "Campaign"),
    ("workshop", "Workshop"),
    ("training", "Training"),
]

EVENT_INDEX = {
    "slug": "events",
    "title": "Events",
    "search_description": (
        "Forums, campaigns, workshops and trainings of Better Work Bangladesh, past and upcoming."
    ),
    "intro": (
        "<p>Forums, campaigns, workshops and trainings where Better Work Bangladesh meets "
        "factories, workers, brands, trade unions and government.</p>"
        "<p>All times are Bangladesh time. Add an event to your calendar from its page, or "
        "subscribe to all of them at once.</p>"
    ),
}


def at(year, month, day, hour=0, minute=0):
    """An aware date and time in Bangladesh."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=DHAKA)


def heading(text, level="h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(html):
    return ("paragraph", html)


def statistics(heading_text, figures, source=""):
    return (
        "statistics",
        {"heading": heading_text, "as_of": None, "source": source, "figures": figures},
    )


def quote(text, name="", role="", organisation=""):
    return ("quote", {"quote": text, "name": name, "role": role, "organisation": organisation})


def call_to_action(heading_text, text, button_label, url):
    return (
        "call_to_action",
        {
            "heading": heading_text,
            "text": text,
            "button_label": button_label,
            "page": None,
            "url": url,
        },
    )


BUSINESS_FORUM = {
    "slug": "business-forum-2022",
    "title": "Better Work Bangladesh Business Forum 2022",
    "category": "forum",
    "image": ("Business Forum 2022, the hall (illustration)", "slate"),
    "hero_image_alt": "Illustration: a conference hall with factory buildings in the background",
    "summary": (
        "About 400 people from government, factories, brands, employers, trade unions and "
        "development partners met in Dhaka to talk about decent work and competitiveness, and saw "
        "the launch of the programme's Strategy 2022–2027."
    ),
    "start": at(2022, 11, 2, 9, 30),
    "end": at(2022, 11, 3, 17, 0),
    "all_day": False,
    "venue": "",
    "city": "Dhaka",
    "organiser": "Better Work Bangladesh (ILO and IFC)",
    "registration_url": "",
    # The forum's video is published on the programme's pages on betterwork.org.
    "video_url": "https://betterwork.org/bangladesh/",
    "related": ["strategy-2022-2027-launched", "better-work-in-2022"],
    "body": [
        paragraph(
            "<p>For two days in November 2022, the Business Forum brought the whole garment "
            "sector into one room: the government, factory owners and managers, international "
            "brands, employers' organisations, trade unions, development organisations and the "
            "partners who fund the programme.</p>"
        ),
        statistics(
            "The forum in figures",
            [
                figure("400", "", "participants", "an approximate count"),
                figure("2", "", "days of discussion"),
                figure("5", "", "themes on the agenda"),
            ],
        ),
        heading("Partnership and dialogue for decent work"),
        paragraph(
            "<p>The question running through every session was how partnership and dialogue can "
            "make the ready-made garment industry both a place of <b>decent work</b> and a "
            "<b>competitive</b> business. The agenda looked at it from five sides:</p>"
            "<ul><li>partnership and dialogue for decent work and competitiveness</li>"
            "<li>capacity building in factories and national institutions</li>"
            "<li>labour market governance</li>"
            "<li>social dialogue between employers and workers</li>"
            "<li>responsible sourcing by brands and retailers</li></ul>"
        ),
        heading("A strategy for 2022–2027"),
        paragraph(
            "<p>The forum was also where the programme launched its Strategy 2022–2027, "
            "<i>Partnership and inclusion for sustainable growth</i>. It prepares the sector for "
            "Bangladesh's graduation from Least Developed Country status: closer work with "
            "national stakeholders on trade competitiveness and diversification, a unified "
            "compliance framework, better skills and automation, and a step-by-step handover of "
            "the programme's tools to the country's own institutions.</p>"
        ),
        call_to_action(
            "Better Work Bangladesh on betterwork.org",
            "Reports, the strategy and the video of the forum.",
            "Visit the programme's page",
            "https://betterwork.org/bangladesh/",
        ),
    ],
}

SIXTEEN_DAYS = {
    "slug": "16-days-of-activism-2022",
    "title": "16 Days of Activism against Gender-Based Violence 2022",
    "category": "campaign",
    "image": ("Factory rally (illustration)", "blue"),
    "hero_image_alt": "Illustration: workers gathered in front of a garment factory",
    "summary": (
        "From 25 November to 10 December, partner factories held rallies, discussions and "
        "awareness sessions on ending gender-based violence and sexual harassment at work."
    ),
    "start": at(2022, 11, 25),
    "end": at(2022, 12, 10),
    "all_day": True,
    "venue": "Partner factories",
    "city": "Bangladesh",
    "organiser": "Partner factories with Better Work Bangladesh",
    "registration_url": "",
    "video_url": "",
    "related": ["sixteen-days-of-activism-apex-holding"],
    "body": [
        paragraph(
            "<p>The 16 Days of Activism run every year from 25 November, the International Day "
            "for the Elimination of Violence against Women, to 10 December, Human Rights Day. In "
            "2022, factories working with Better Work Bangladesh used these days to talk openly "
            "about gender-based violence and sexual harassment at work.</p>"
        ),
        heading("Rallies, discussions and awareness sessions"),
        paragraph(
            "<p>Workers, supervisors and managers walked together in rallies, met for "
            "discussions and joined awareness sessions. The sessions explained what harassment "
            "is, why it must not be tolerated and how a worker can raise a complaint.</p>"
        ),
        heading("Harassment prevention committees"),
        paragraph(
            "<p>The factories' harassment prevention committees took part throughout. Their "
            "members led sessions and reminded colleagues that the committee is there to receive "
            "complaints and to act on them.</p>"
        ),
        quote(
            "The sessions helped us understand what harassment is and where we can go if it "
            "happens to us.",
            "Sabina Akter",
            "Worker",
            "Apex Holding Limited",
        ),
        paragraph(
            "<p>Apex Holding Limited was one of the factories that took part, with workers "
            "joining the awareness activities alongside the committee.</p>"
        ),
    ],
}

DATA_WORKSHOPS = {
    "slug": "empowering-workers-with-data-2022",
    "title": "Empowering workers with data: workshops with trade unions",
    "category": "workshop",
    "image": ("Data workshop (illustration)", "amber"),
    "hero_image_alt": "Illustration: trade union representatives at a workshop",
    "summary": (
        "Three workshops, in March, July and September 2022, showed 32 trade union "
        "representatives how to use the programme's data, public reports and transparency portal "
        "in their work for decent work."
    ),
    "start": at(2022, 3, 1),
    "end": at(2022, 9, 30),
    "all_day": True,
    "venue": "",
    "city": "",
    "organiser": "Better Work Bangladesh with IBC and NCCWE trade unions",
    "registration_url": "",
    "video_url": "",
    "related": ["trade-unions-empowered-with-data"],
    "body": [
        paragraph(
            "<p>Trade unions speak for workers, and good data makes that voice stronger. In "
            "2022 Better Work Bangladesh held a series of three workshops with trade union "
            "representatives, in March, July and September, called <b>Empowering workers with "
            "data</b>.</p>"
        ),
        statistics(
            "Who took part",
            [
                figure("32", "", "trade union representatives"),
                figure("16", "", "organisations affiliated to IndustriALL Bangladesh Council"),
                figure(
                    "10",
                    "",
                    "organisations affiliated to the National Coordination Committee for "
                    "Workers Education",
                ),
                figure("3", "", "workshops"),
            ],
        ),
        heading("From figures to action"),
        paragraph(
            "<p>Participants learned to read the data the programme collects in factories: what "
            "the public reports say about compliance, how to look up a factory on the "
            "transparency portal, and how evidence can back their dialogue with employers and "
            "government.</p>"
        ),
        heading("Part of a longer partnership"),
        paragraph(
            "<p>The workshops belong to the programme's partnership with trade unions and to its "
            "Strategy 2022–2027, which hands its approaches, data and evidence to national "
            "institutions so that the results last.</p>"
        ),
    ],
}

EVENTS = [BUSINESS_FORUM, SIXTEEN_DAYS, DATA_WORKSHOPS]
