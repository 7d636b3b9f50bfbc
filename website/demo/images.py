"""Illustrative demo images drawn with Pillow: no downloads, no text in the pictures.

Each image is made once (looked up by title on later runs) and stored in a "Demo images" collection.
"""

import hashlib
import io
import random

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.models import Collection

from website.models import CustomImage

PALETTES = {
    "blue": ["#0a5c99", "#3f8fd2", "#bcd9f0", "#f2a900"],
    "green": ["#1b6b4a", "#4caf7d", "#cfead9", "#f2a900"],
    "rose": ["#8c2d4f", "#d0607f", "#f4d3dc", "#0a5c99"],
    "amber": ["#9a5b00", "#f2a900", "#fde7b0", "#0a5c99"],
    "slate": ["#2f3e4e", "#6c8196", "#d5dee7", "#f2a900"],
}


def demo_collection():
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name="Demo images").first()
    return existing or root.add_child(name="Demo images")


def draw(seed, palette, size=(1600, 900)):
    """A calm abstract picture: a band of colour, rows of 'factory' blocks, circles of people."""
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    dark, mid, light, accent = PALETTES[palette]
    width, height = size
    picture = PILImage.new("RGB", size, light)
    pen = ImageDraw.Draw(picture)
    pen.rectangle([0, int(height * 0.62), width, height], fill=mid)
    x = 0
    while x < width:  # a skyline of factory buildings with saw-tooth roofs
        w = rng.randint(120, 260)
        h = rng.randint(int(height * 0.18), int(height * 0.38))
        top = int(height * 0.62) - h
        pen.rectangle([x, top, x + w - 8, int(height * 0.62)], fill=dark)
        for tooth in range(x, x + w - 40, 40):
            pen.polygon([(tooth, top), (tooth + 40, top - 30), (tooth + 40, top)], fill=dark)
        x += w
    for _ in range(rng.randint(9, 15)):  # people, as circles and bodies
        cx = rng.randint(40, width - 40)
        cy = rng.randint(int(height * 0.7), height - 60)
        r = rng.randint(18, 30)
        colour = rng.choice([accent, light, dark])
        pen.ellipse([cx - r, cy - r * 3, cx + r, cy - r], fill=colour)
        pen.rounded_rectangle([cx - r * 1.4, cy - r, cx + r * 1.4, cy + r * 2], 16, fill=colour)
    pen.ellipse([width - 260, 60, width - 120, 200], fill=accent)  # the sun
    return picture


# The organisation's credit line, given on pages and image blocks too so that it is translated
# with them ("© আইএলও"); the image keeps it as the fallback.
DEMO_CREDIT = "© ILO"


def demo_image(title, *, palette="blue", alt="", credit=DEMO_CREDIT):
    """The demo image called `title`, drawn and saved on first use."""
    image = CustomImage.objects.filter(title=title).first()
    if image is not None:
        return image
    seed = int(hashlib.sha256(title.encode()).hexdigest()[:8], 16)
    buffer = io.BytesIO()
    draw(seed, palette).save(buffer, format="JPEG", quality=85)
    name = hashlib.sha256(title.encode()).hexdigest()[:12] + ".jpg"
    return CustomImage.objects.create(
        title=title,
        description=alt,
        credit=credit,
        collection=demo_collection(),
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=name),
    )
