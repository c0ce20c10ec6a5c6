# Email confirmation: the fields, and every account that exists already counts as confirmed
# (from the day it joined), so switching STOREFEED_EMAIL_CONFIRMATION on locks nobody out.

import django.utils.timezone
from django.db import migrations, models


def confirm_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_confirmed_at__isnull=True).update(
        email_confirmed_at=models.F("date_joined")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_posting_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email confirmed at"),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                null=True,
                verbose_name="email confirmed at",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="email_confirmation_requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="email_confirmation_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="locale",
            field=models.CharField(blank=True, max_length=10, verbose_name="email language"),
        ),
    ]
