from django.db import migrations, models

import question_engine


def fill_display_names(apps, schema_editor):
    """Name the parts of every stored question version uniquely (see part_display_names)."""
    Part = apps.get_model("exams", "Part")
    QuestionVersion = apps.get_model("exams", "QuestionVersion")
    for version in QuestionVersion.objects.all().iterator():
        parts = list(Part.objects.filter(version=version).order_by("order"))
        names = question_engine.part_display_names((p.label, p.source_part) for p in parts)
        for part in parts:
            part.display_name = names[part.label]
        Part.objects.bulk_update(parts, ["display_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0008_part_self_assessment"),
    ]

    operations = [
        migrations.AddField(
            model_name="part",
            name="display_name",
            field=models.CharField(
                blank=True,
                help_text="The part's name shown to people, unique within its question version "
                '(e.g. "(a) 2 of 3" when several parts share source part "(a)"); set by the '
                "bank sync.",
                max_length=80,
            ),
        ),
        migrations.RunPython(fill_display_names, migrations.RunPython.noop),
    ]
