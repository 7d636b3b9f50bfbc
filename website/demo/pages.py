"""Creating demo pages once: found by slug under their parent on later runs."""


def ensure_page(parent, model, slug, report, **fields):
    """The live child of `parent` with `slug`, created and published when missing.

    An existing page is returned as it is, so an editor's changes are never overwritten. Sections
    directly under the home page (news, stories, events) are shown in the main menu.
    """
    existing = parent.get_children().filter(slug=slug).specific().first()
    if existing is not None:
        return existing
    fields.setdefault("show_in_menus", parent.depth == 2)
    page = parent.add_child(instance=model(slug=slug, locale=parent.locale, **fields))
    page.save_revision().publish()
    report(f"  + {model.__name__} '{page.title}'")
    return page
