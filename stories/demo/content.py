"""News and stories of the demo site, from the programme's facts, in our own words.

Pages are listed in the order they are created: a page can only link (call to action, related
pages) to pages created before it. Bodies are StreamField data as an editor would save it.
"""

import datetime

from website.demo.content import figure
from website.demo.images import DEMO_CREDIT

TOPICS = [
    # (slug, English name); the Bangla names are in translations/bn.po
    ("gender", "Gender equality"),
    ("occupational-safety-and-health", "Occupational safety and health"),
    ("social-dialogue", "Social dialogue"),
    ("working-mothers", "Working mothers"),
    ("data-and-transparency", "Data and transparency"),
    ("responsible-business", "Responsible business"),
    ("skills-and-training", "Skills and training"),
]

NEWS_INDEX = {
    "slug": "news",
    "title": "News",
    "intro": (
        "<p>What Better Work Bangladesh is doing with factories, workers, brands and government: "
        "announcements, reports and results.</p>"
    ),
}

STORIES_INDEX = {
    "slug": "stories",
    "title": "Stories",
    "intro": (
        "<p>The people behind the figures: workers, managers, trade unionists and trainers, and "
        "what changed for them.</p>"
    ),
}


def heading(text, level="h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(html):
    return ("paragraph", html)


def statistics(heading_text, figures, *, as_of=None, source=""):
    return (
        "statistics",
        {"heading": heading_text, "as_of": as_of, "source": source, "figures": figures},
    )


def image(key, alt, caption):
    """An image block with its own alt text; `key` names an entry of IMAGES, resolved by the
    loader. The credit is the image's, given here to be translated with the page."""
    return (
        "image",
        {
            "image": {"image": key, "decorative": False, "alt_text": alt},
            "caption": caption,
            "credit": DEMO_CREDIT,
        },
    )


def quote(text, name="", role="", organisation=""):
    return ("quote", {"quote": text, "name": name, "role": role, "organisation": organisation})


def call_to_action(heading_text, text, button_label, page):
    """`page` is the slug of a demo page ("stories" for the stories index)."""
    return (
        "call_to_action",
        {
            "heading": heading_text,
            "text": text,
            "button_label": button_label,
            "page": page,
            "url": "",
        },
    )


# Illustrations drawn by website.demo.images: key -> (title, palette).
IMAGES = {
    "forum": ("Business Forum 2022 (illustration)", "blue"),
    "forum-hall": ("Business Forum 2022, the hall (illustration)", "slate"),
    "first-year": ("Better Work Bangladesh, first year (illustration)", "green"),
    "first-year-visit": ("Advisory visit (illustration)", "amber"),
    "year-2022": ("Better Work in 2022 (illustration)", "amber"),
    "year-2022-training": ("Training session (illustration)", "green"),
    "consultation": ("Consultation beyond garments (illustration)", "slate"),
    "consultation-workshop": ("Consultation workshop (illustration)", "blue"),
    "mothers": ("Mothers@Work (illustration)", "rose"),
    "mothers-group": ("Mother support group (illustration)", "amber"),
    "sixteen-days": ("16 Days of Activism (illustration)", "rose"),
    "sixteen-days-rally": ("Factory rally (illustration)", "blue"),
    "amfori": ("Master trainers (illustration)", "green"),
    "amfori-session": ("Crisis leadership session (illustration)", "slate"),
    "data": ("Empowering workers with data (illustration)", "blue"),
    "data-workshop": ("Data workshop (illustration)", "amber"),
}
IMAGE_ALT = "Illustration: garment factory buildings with workers in front of them"  # default

MOTHERS_AT_WORK = {
    "model": "story",
    "slug": "mothers-at-work",
    "title": "Mothers@Work: helping factories support working mothers",
    "date": datetime.date(2022, 8, 7),
    "featured": True,
    "summary": (
        "With UNICEF, Better Work Bangladesh helps partner factories put seven minimum "
        "standards for working mothers into practice, from paid maternity leave to "
        "breastfeeding spaces."
    ),
    "hero": "mothers",
    "hero_image_alt": "Illustration: women workers outside a garment factory",
    "topics": ["working-mothers", "gender"],
    "related": [],
    "body": [
        paragraph(
            "<p>About four million people work in the apparel industry of Bangladesh, and more "
            "than half of them are women of reproductive age. Whether a young mother can keep "
            "her job, breastfeed her baby and stay healthy depends a great deal on her "
            "workplace.</p>"
            "<p>Mothers@Work, a programme run with UNICEF, has been rolled out in 103 partner "
            "factories since 2017.</p>"
        ),
        heading("Seven minimum standards"),
        paragraph(
            "<p>Factories that take part work towards seven minimum standards for working "
            "mothers:</p>"
            "<ul><li>paid maternity leave</li>"
            "<li>breastfeeding and childcare facilities</li>"
            "<li>flexible working arrangements</li>"
            "<li>health protection</li>"
            "<li>medical benefits</li>"
            "<li>employment protection</li>"
            "<li>non-discrimination</li></ul>"
        ),
        statistics(
            "Mothers@Work so far",
            [
                figure("4", "million", "people work in the apparel industry"),
                figure("103", "", "partner factories since 2017"),
                figure("2286", "", "people trained on the seven standards"),
                figure("78", "", "factories they came from"),
            ],
            source="Better Work Bangladesh and UNICEF",
        ),
        heading("From policy to practice"),
        paragraph(
            "<p>The work starts with an orientation for senior management and a written "
            "breastfeeding policy for the workplace. Health providers, supervisors, welfare "
            "officers and workers are then trained.</p>"
            "<p>Mother support groups give women a place to share advice and concerns with "
            "others in the same situation.</p>"
        ),
        image(
            "mothers-group",
            "Illustration: a group of women in front of a factory",
            "Mother support groups meet at the workplace.",
        ),
    ],
}

SIXTEEN_DAYS = {
    "model": "story",
    "slug": "sixteen-days-of-activism-apex-holding",
    "title": "Speaking up against harassment: 16 Days of Activism at Apex Holding",
    "date": datetime.date(2022, 12, 10),
    "featured": True,
    "subject_name": "Sabina Akter",
    "subject_role": "Worker, Apex Holding Limited",
    "summary": (
        "From 25 November to 10 December 2022, partner factories held rallies, discussions and "
        "awareness sessions against gender-based violence. At Apex Holding Limited, Sabina "
        "Akter took part with her colleagues."
    ),
    "hero": "sixteen-days",
    "hero_image_alt": "Illustration: workers gathered in front of a factory",
    "topics": ["gender"],
    "related": ["mothers-at-work"],
    "body": [
        paragraph(
            "<p>Every year the 16 Days of Activism against Gender-Based Violence run from "
            "25 November to 10 December. In 2022, partner factories of Better Work Bangladesh "
            "marked them with rallies, group discussions and awareness sessions on ending "
            "gender-based violence and sexual harassment at work.</p>"
            "<p>In many factories the harassment prevention committees, where workers and "
            "managers sit together, took an active part.</p>"
        ),
        heading("A worker’s view"),
        paragraph(
            "<p>Sabina Akter works at Apex Holding Limited, one of the factories that joined the "
            "campaign. She took part in the sessions with her colleagues and said that talking "
            "about harassment openly helps workers know where to turn.</p>"
        ),
        quote(
            "When we talk about it together, we know where to go for help.",
            name="Sabina Akter",
            role="Worker",
            organisation="Apex Holding Limited",
        ),
        image(
            "sixteen-days-rally",
            "Illustration: workers gathered outside factory buildings",
            "Rallies and discussions were held in partner factories.",
        ),
        heading("Committees that workers trust"),
        paragraph(
            "<p>A harassment prevention committee can only help if workers know that it exists "
            "and trust it. The campaign gave committee members a chance to introduce themselves "
            "and to explain how a complaint is handled.</p>"
        ),
        call_to_action(
            "Support for working mothers",
            "Another way partner factories make work fairer for women.",
            "Read about Mothers@Work",
            "mothers-at-work",
        ),
    ],
}

AMFORI = {
    "model": "story",
    "slug": "amfori-master-trainers",
    "title": "Going beyond garments with amfori: the first master trainers",
    "date": datetime.date(2022, 10, 20),
    "featured": False,
    "summary": (
        "Under a letter of engagement between the ILO and amfori, a first group of master "
        "trainers has been trained to take the programme’s approach to other industries."
    ),
    "hero": "amfori",
    "hero_image_alt": "Illustration: trainers standing in front of factory buildings",
    "topics": ["skills-and-training", "responsible-business", "occupational-safety-and-health"],
    "related": [],
    "body": [
        paragraph(
            "<p>The services of Better Work were built for garment factories, but many of the "
            "problems they address, from safety to management skills, are shared by other "
            "industries. Working with amfori, a global business association active in 40 "
            "countries, the programme is preparing to take its know-how further.</p>"
        ),
        heading("What the partnership covers"),
        paragraph(
            "<p>The letter of engagement signed by the ILO and amfori covers five areas:</p>"
            "<ul><li>occupational safety and health</li>"
            "<li>soft skills and productivity</li>"
            "<li>crisis management</li>"
            "<li>international labour standards</li>"
            "<li>emergency preparedness</li></ul>"
        ),
        heading("Training the trainers"),
        paragraph(
            "<p>A first pool of master trainers completed three sessions: managerial skills, "
            "crisis leadership and management systems. They will pass on what they learned to "
            "managers and supervisors, in garments and beyond.</p>"
        ),
        statistics(
            "The partnership in numbers",
            [
                figure("3", "", "training sessions for master trainers"),
                figure("5", "", "areas of cooperation"),
                figure("40", "", "countries where amfori is active"),
            ],
        ),
        image(
            "amfori-session",
            "Illustration: people in front of a row of factory buildings",
            "One of the sessions was on crisis leadership.",
        ),
    ],
}

DATA = {
    "model": "story",
    "slug": "trade-unions-empowered-with-data",
    "title": "Empowering workers with data: trade unions learn to use programme information",
    "date": datetime.date(2022, 9, 29),
    "featured": True,
    "summary": (
        "In three workshops in 2022, 32 representatives of trade union organisations learned "
        "to use the programme’s data, public reports and transparency portal in their work for "
        "decent jobs."
    ),
    "hero": "data",
    "hero_image_alt": "Illustration: a group of people in front of factory buildings",
    "topics": ["social-dialogue", "data-and-transparency"],
    "related": ["amfori-master-trainers"],
    "body": [
        paragraph(
            "<p>Better Work Bangladesh gathers a great deal of information about working "
            "conditions in its partner factories and publishes much of it. For trade unions "
            "this data can support their work for decent jobs, if they know where to find it "
            "and how to read it.</p>"
        ),
        statistics(
            "Empowering workers with data",
            [
                figure("3", "", "workshops", "March, July and September 2022"),
                figure("32", "", "union representatives took part"),
                figure("16", "", "organisations affiliated with IBC"),
                figure("10", "", "organisations affiliated with NCCWE"),
            ],
            as_of=datetime.date(2022, 9, 30),
            source="Better Work Bangladesh",
        ),
        heading("Who took part"),
        paragraph(
            "<p>The participants came from 16 organisations affiliated with the IndustriALL "
            "Bangladesh Council (IBC) and 10 affiliated with the National Coordination "
            "Committee for Workers Education (NCCWE).</p>"
        ),
        heading("What they learned"),
        paragraph(
            "<p>The workshops, held in March, July and September, covered how data can be used "
            "for decent work, what the programme’s public reports say and how to read them, and "
            "how to use the transparency portal.</p>"
        ),
        image(
            "data-workshop",
            "Illustration: small groups of people in front of factories",
            "Participants worked in small groups.",
        ),
    ],
}

CONSULTATION = {
    "model": "news",
    "slug": "consultation-beyond-garments",
    "title": "Beyond garments: a consultation with ten industries",
    "date": datetime.date(2022, 6, 30),
    "summary": (
        "In June 2022 Better Work Bangladesh invited representatives of ten industries to "
        "discuss how its approach could help sectors beyond ready-made garments."
    ),
    "hero": "consultation",
    "hero_image_alt": "Illustration: factory buildings of different industries",
    "topics": ["responsible-business", "occupational-safety-and-health"],
    "related": ["amfori-master-trainers"],
    "body": [
        paragraph(
            "<p>The economy of Bangladesh relies heavily on ready-made garments. As the country "
            "prepares to graduate from Least Developed Country status, other industries are "
            "asking how they too can improve working conditions and productivity.</p>"
            "<p>In June 2022 the programme held a multistakeholder consultation workshop with "
            "representatives of leather goods, agro-processing, plastics, chemicals, "
            "pharmaceuticals, ceramics, electronics, tea, hotel and hospitality, and "
            "ready-made garments.</p>"
        ),
        heading("What participants discussed"),
        paragraph(
            "<p>The discussion covered occupational safety and health, skills, productivity and "
            "compliance with labour law, and which of the programme’s services could be adapted "
            "to each industry.</p>"
        ),
        image(
            "consultation-workshop",
            "Illustration: people in front of industrial buildings",
            "Ten industries were represented at the workshop.",
        ),
        heading("A partnership with amfori"),
        paragraph(
            "<p>The ILO has also signed a letter of engagement with amfori, a global business "
            "association active in 40 countries, to work together on occupational safety and "
            "health, soft skills and productivity, crisis management, international labour "
            "standards and emergency preparedness.</p>"
        ),
        call_to_action(
            "Training the first master trainers",
            "How the partnership with amfori prepares trainers for other industries.",
            "Read the story",
            "amfori-master-trainers",
        ),
    ],
}

STRATEGY = {
    "model": "news",
    "slug": "strategy-2022-2027-launched",
    "title": "Strategy 2022–2027 launched at the Business Forum in Dhaka",
    "date": datetime.date(2022, 11, 3),
    "summary": (
        "About 400 representatives of government, factories, brands, workers and development "
        "partners met in Dhaka on 2–3 November 2022, where Better Work Bangladesh launched its "
        "strategy for the next five years."
    ),
    "hero": "forum",
    "hero_image_alt": "Illustration: people gathered in front of factory buildings",
    "topics": ["social-dialogue", "responsible-business"],
    "related": ["trade-unions-empowered-with-data", "amfori-master-trainers"],
    "body": [
        heading("Two days of partnership and dialogue"),
        paragraph(
            "<p>The Better Work Bangladesh Business Forum 2022 brought together about 400 "
            "people in Dhaka on 2 and 3 November: government officials, factory owners and "
            "managers, international brands, employers’ organisations, trade unions, "
            "development organisations and donor partners.</p>"
            "<p>The sessions looked at partnership and dialogue for decent work and "
            "competitiveness, capacity building, labour market governance, social dialogue and "
            "responsible sourcing.</p>"
        ),
        statistics(
            "The forum in numbers",
            [
                figure("400", "", "participants", "approximately"),
                figure("2", "", "days of discussion"),
                figure("4", "", "outcomes in the new strategy"),
            ],
        ),
        heading("Partnership and inclusion for sustainable growth"),
        paragraph(
            "<p>The forum launched the programme’s Strategy 2022–2027, <i>Partnership and "
            "inclusion for sustainable growth</i>. It sets out work with national stakeholders "
            "on trade competitiveness, diversification, a unified compliance framework, skills "
            "upgrading and automation, as Bangladesh prepares to graduate from Least Developed "
            "Country status.</p>"
            "<p>The strategy renews the way the programme engages with factories, and plans to "
            "hand its tools and frameworks over to national constituents.</p>"
        ),
        heading("Four outcomes", "h3"),
        paragraph(
            "<ol><li>Employers and workers uphold, and are protected by, national labour law and "
            "the fundamental principles and rights at work, and enterprises become more "
            "sustainable, resilient and inclusive.</li>"
            "<li>National institutions sustain the programme’s impact using its approaches, data "
            "and evidence.</li>"
            "<li>Enterprises adopt policies and practices of responsible business conduct.</li>"
            "<li>The programme has a positive social and environmental impact beyond its own "
            "factories, and its approach is adopted in other industries.</li></ol>"
        ),
        image(
            "forum-hall",
            "Illustration: a large group of people in front of factory buildings",
            "The forum brought the whole sector together in Dhaka.",
        ),
        paragraph(
            "<p>Speaking for the donor partners, the Ambassador of Switzerland to Bangladesh "
            "stressed the value of building resilience to economic shocks and of preparing for "
            "new trade requirements on responsible business conduct.</p>"
        ),
        call_to_action(
            "How trade unions use programme data",
            "One of the partnerships behind the strategy: workshops on data for decent work.",
            "Read the story",
            "trade-unions-empowered-with-data",
        ),
    ],
}

YEAR_2022 = {
    "model": "news",
    "slug": "better-work-in-2022",
    "title": "Better Work in 2022: a year in review",
    "date": datetime.date(2022, 12, 20),
    "summary": (
        "Assessments in 260 factories, nearly 2,000 advisory visits, a new strategy and new "
        "partnerships: a look back at the programme’s year."
    ),
    "hero": "year-2022",
    "hero_image_alt": "Illustration: a row of factory buildings under a yellow sun",
    "topics": ["skills-and-training", "data-and-transparency"],
    "related": [
        "strategy-2022-2027-launched",
        "mothers-at-work",
        "sixteen-days-of-activism-apex-holding",
    ],
    "body": [
        paragraph(
            "<p>2022 was a year of growth and new beginnings for Better Work Bangladesh. "
            "Factories, brands, workers and their organisations, the government and our donor "
            "partners worked with us throughout the year, and together we launched a new "
            "five-year strategy.</p>"
        ),
        statistics(
            "Better Work in 2022",
            [
                figure("260", "", "factories assessed"),
                figure("1916", "", "advisory visits"),
                figure("199", "", "trainings conducted"),
                figure("5911", "", "workers and managers trained"),
                figure("55", "%", "of training participants were women"),
            ],
            as_of=datetime.date(2022, 12, 31),
            source="Better Work Bangladesh",
        ),
        heading("Highlights of the year"),
        paragraph(
            "<ul><li>In June, a multistakeholder consultation looked at how the programme’s "
            "approach could serve industries beyond ready-made garments.</li>"
            "<li>Trade union representatives took part in three workshops on using data for "
            "decent work.</li>"
            "<li>Mothers@Work, run with UNICEF, continued to help factories support working "
            "mothers.</li>"
            "<li>On 2–3 November the Business Forum 2022 launched the Strategy 2022–2027.</li>"
            "<li>From 25 November to 10 December partner factories joined the 16 Days of "
            "Activism against gender-based violence.</li></ul>"
        ),
        image(
            "year-2022-training",
            "Illustration: workers in front of a factory",
            "Training sessions reached 5,911 workers and managers.",
        ),
        statistics(
            "Programme reach",
            [
                figure("437", "", "factories enrolled"),
                figure("47", "", "international brands and retailers"),
                figure("1.26", "million", "workers supported"),
                figure("50", "%", "of supported workers are women"),
            ],
            as_of=datetime.date(2022, 12, 31),
            source="Better Work Bangladesh",
        ),
        call_to_action(
            "The stories behind the figures",
            "Meet some of the people who made 2022 count.",
            "Read the stories",
            "stories",
        ),
    ],
}

FIRST_YEAR = {
    "model": "news",
    "slug": "first-year-94-factories-joined",
    "title": "One year on: 94 factories have joined Better Work Bangladesh",
    "date": datetime.date(2014, 12, 18),
    "summary": (
        "About a year after the programme began its work, 94 garment factories and 30 buyers "
        "have signed up, and the first assessments and advisory visits are under way."
    ),
    "hero": "first-year",
    "hero_image_alt": "Illustration: garment factories in a busy industrial area",
    "topics": ["data-and-transparency", "responsible-business"],
    "related": ["better-work-in-2022"],
    "body": [
        paragraph(
            "<p>Better Work Bangladesh was announced in October 2013, as part of the response to "
            "the Tazreen Fashions fire and the collapse of Rana Plaza. In its first year it has "
            "worked in two areas of greater Dhaka where garment factories are most densely "
            "clustered.</p>"
            "<p>Since last November 94 factories have joined the programme, four of them in the "
            "past month. Thirty buyers have become partners, among them Patagonia, H&amp;M, Nike "
            "and Gap Inc.</p>"
        ),
        statistics(
            "The first year in figures",
            [
                figure("94", "", "factories joined"),
                figure("30", "", "buyer partners"),
                figure("181740", "", "workers represented"),
                figure("55", "%", "of these workers are women"),
                figure("37", "", "factories assessed"),
                figure("163", "", "advisory visits"),
            ],
            as_of=datetime.date(2014, 11, 30),
            source="Better Work Bangladesh",
        ),
        heading("How factories take part"),
        paragraph(
            "<p>A factory’s engagement starts with a self-diagnosis tool, with which managers "
            "and workers look at their own workplace. Assessments then check compliance with "
            "national labour law and international labour standards, advisers visit the "
            "factory, and the engagement ends with a work plan that the factory agrees on.</p>"
            "<p>Assessment reports are shared with the factory’s buyers, and the programme "
            "reports publicly on its progress.</p>"
        ),
        image(
            "first-year-visit",
            "Illustration: visitors outside a garment factory",
            "Advisers visit each factory during its engagement.",
        ),
        heading("Working alongside others"),
        paragraph(
            "<p>Many labour initiatives are active in the sector: other ILO projects, the "
            "brands’ Accord and Alliance, and non-governmental organisations. Avoiding "
            "duplication is one of the programme’s first challenges.</p>"
            "<p>The plan is to reach 500 factories by 2018, the last year of a first phase of "
            "three years.</p>"
        ),
        call_to_action(
            "Eight years later",
            "See what the programme achieved in 2022.",
            "Read the year in review",
            "better-work-in-2022",
        ),
    ],
}

# Creation order: links point backwards only.
ARTICLES = [
    MOTHERS_AT_WORK,
    SIXTEEN_DAYS,
    AMFORI,
    DATA,
    CONSULTATION,
    STRATEGY,
    YEAR_2022,
    FIRST_YEAR,
]
