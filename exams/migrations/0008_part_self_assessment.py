from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0007_roster_links_idempotency_per_attempt"),
    ]

    operations = [
        migrations.AddField(
            model_name="part",
            name="self_assessment",
            field=models.BooleanField(
                default=False,
                help_text="Free text: in practice, once the worked solution is shown, the student "
                "may mark their own answer (until an instructor marks it).",
            ),
        ),
    ]
