import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0002_index_diet"),
    ]

    operations = [
        # Lines numbered before this column: any earlier time, the next ticket's clock wins.
        migrations.AddField(
            model_name="ticketsequence",
            name="last_issued_at",
            field=models.DateTimeField(
                default=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
            ),
            preserve_default=False,
        ),
    ]
