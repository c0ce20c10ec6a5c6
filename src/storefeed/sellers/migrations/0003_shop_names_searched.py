# Shops found by their names (accounts/search.py): the accounts' index rows of existing
# sellers rewritten with the shop's name.

from django.db import migrations

from storefeed.core import fulltext


def add_shop_names(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    Seller = apps.get_model("sellers", "Seller")
    AccountSearch = apps.get_model("accounts", "AccountSearch")
    rows = Seller.objects.values_list(
        "account_id", "account__username", "account__display_name", "account__note", "shop_name"
    )
    for pk, *texts in rows.iterator(chunk_size=2000):
        AccountSearch.objects.update_or_create(
            account_id=pk, defaults={"document": fulltext.document(texts, vendor)}
        )


class Migration(migrations.Migration):

    dependencies = [
        ("sellers", "0002_personal_data_view"),
        ("accounts", "0011_account_search"),
    ]

    operations = [migrations.RunPython(add_shop_names, migrations.RunPython.noop)]
