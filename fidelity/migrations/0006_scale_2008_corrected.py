"""A corrected edition of the 2008 scale ("2008-c1"), now the current one.

Item 11 (executive team support) had lost two thresholds that decide whether an element counts:
the steering committee meets at least quarterly until the program reaches high fidelity, then
at least every six months; the chief executive's message to all staff, with clear and specific
goals, comes in the first six months and at least yearly after that, and is not delegated.

Item 7 (vocational unit), anchor 3, was checked against the scale as the product records it
(`ips-reference.md`): "same supervisor and discuss cases, no back-up (or back-up without a
group or supervisor)". The earlier wording left out the supervisor; it is reworded to match.

Every other item is copied unchanged. Reviews planned before this edition keep the 2008 one
(their items point at its rows); new reviews are planned on this one. Migrating back makes 2008
current again and removes the edition unless a review was scored on it (that review keeps it).
"""

from django.db import migrations

OLD, NEW = "2008", "2008-c1"
NEW_TITLE = "IPS Supported Employment Fidelity Scale (2008, corrected edition 1)"

CORRECTIONS = {
    7: {
        "anchor_3": "Specialists share a supervisor and talk through cases, but do not cover for "
        "each other (or cover for each other without meeting as a group with a supervisor)",
    },
    11: {
        "criterion": "All five: the executive and clinical directors know the IPS principles; "
        "quality assurance reviews the program with the fidelity scale at least every six months "
        "until fidelity is high, then at least yearly, and acts on the results; an executive "
        "sits on a steering group that meets at least every quarter until fidelity is high, then "
        "at least every six months, and writes action plans; the chief executive personally "
        "tells all staff how the program serves the agency's mission, with clear and specific "
        "goals, within the first six months and at least yearly after that (not delegated); the "
        "program leader reports barriers and successes to executives at least twice a year and "
        "they help remove the barriers.",
    },
}


def load_corrected_scale(apps, schema_editor):
    """Add the corrected edition (copying 2008 with `CORRECTIONS`) and make it current. When it
    exists already (kept by a migration back, see below) it becomes current again if 2008 is;
    a later edition stays current. Does nothing when the 2008 edition is missing."""
    db = schema_editor.connection.alias
    ScaleVersion = apps.get_model("fidelity", "ScaleVersion")
    Section = apps.get_model("fidelity", "Section")
    Item = apps.get_model("fidelity", "Item")
    versions = ScaleVersion.objects.db_manager(db)
    old = versions.filter(code=OLD).first()
    if old is None:
        return
    if versions.filter(code=NEW).exists():
        if old.is_current:
            versions.filter(code=OLD).update(is_current=False)
            versions.filter(code=NEW).update(is_current=True)
        return
    versions.filter(is_current=True).update(is_current=False)
    new = versions.create(code=NEW, title=NEW_TITLE, is_current=True)
    sections = {
        section.pk: Section.objects.db_manager(db).create(
            scale=new, position=section.position, name=section.name
        )
        for section in Section.objects.db_manager(db).filter(scale=old)
    }
    for item in Item.objects.db_manager(db).filter(scale=old).order_by("number"):
        fields = {
            name: getattr(item, name)
            for name in ("number", "name", "criterion", *(f"anchor_{n}" for n in range(1, 6)))
        }
        fields.update(CORRECTIONS.get(item.number, {}))
        Item.objects.db_manager(db).create(scale=new, section=sections[item.section_id], **fields)


def remove_corrected_scale(apps, schema_editor):
    db = schema_editor.connection.alias
    ScaleVersion = apps.get_model("fidelity", "ScaleVersion")
    Review = apps.get_model("fidelity", "Review")
    versions = ScaleVersion.objects.db_manager(db)
    new = versions.filter(code=NEW).first()
    if new is None:
        return
    versions.filter(code=NEW).update(is_current=False)
    versions.filter(code=OLD).update(is_current=True)
    # Reviews scored on the edition keep it (and their scores): only an unused one goes.
    if not Review.objects.db_manager(db).filter(scale=new).exists():
        new.items.all().delete()
        new.sections.all().delete()
        new.delete()


class Migration(migrations.Migration):
    dependencies = [("fidelity", "0005_bounded_texts")]

    operations = [migrations.RunPython(load_corrected_scale, remove_corrected_scale)]
