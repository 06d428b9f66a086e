from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0010_variant_author_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="questionversion",
            name="quantity_feeds",
            field=models.JSONField(
                blank=True,
                null=True,
                help_text=(
                    "Per asked quantity, the other numeric parts' quantities solve() computes "
                    "from it (found in the sandbox when synced); null while unknown, when "
                    "marking runs the carried-forward job for every answer."
                ),
            ),
        ),
    ]
