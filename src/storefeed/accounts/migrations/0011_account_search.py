# The full-text index of accounts (accounts/search.py), filled with every account there is.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import storefeed.core.fulltext
from storefeed.core import fulltext


def make_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in fulltext.index_ddl("accounts_accountsearch", "account_id", ["document"], vendor):
        schema_editor.execute(statement)
    User = apps.get_model("accounts", "User")
    AccountSearch = apps.get_model("accounts", "AccountSearch")
    # A seller's shop name is added by the sellers' migration that follows, when it runs.
    batch = []
    rows = User.objects.values_list("pk", "username", "display_name", "note")
    for pk, username, name, note in rows.iterator(chunk_size=2000):
        document = fulltext.document([username, name, note], vendor)
        batch.append(AccountSearch(account_id=pk, document=document))
        if len(batch) >= 2000:
            AccountSearch.objects.bulk_create(batch)
            batch = []
    AccountSearch.objects.bulk_create(batch)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in fulltext.index_drop_ddl("accounts_accountsearch", vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0010_default_quote_policy"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountSearch",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("document", storefeed.core.fulltext.DocumentField()),
            ],
        ),
        migrations.RunPython(make_index, drop_index),
    ]
