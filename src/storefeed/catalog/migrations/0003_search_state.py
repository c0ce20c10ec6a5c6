# The state searches filter and sort on, kept in the products' index rows (catalog/search.py).

from django.db import migrations, models

from storefeed.core import fulltext

TABLE = "catalog_productsearch"


def fill(apps, schema_editor):
    """SQLite rebuilt the table to add the columns, dropping the FTS5 triggers with the old
    one: make them again. Then every row's state and units sold from the live rows."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
        for statement in fulltext.index_triggers_ddl(TABLE, "product_id", ["title", "body"]):
            schema_editor.execute(statement)
    schema_editor.execute(
        f"UPDATE {TABLE} SET listed = x.listed, in_stock = x.in_stock, price_fen = x.price_fen,"
        " seller_id = x.seller_id, field_id = x.field_id, sold = x.sold FROM ("
        " SELECT p.id AS id, (p.status = 'on_sale' AND COALESCE(s.state = 'active', FALSE))"
        " AS listed, (p.stock > 0 OR (p.has_variants AND EXISTS (SELECT 1 FROM catalog_variant v"
        " WHERE v.product_id = p.id AND v.is_active AND v.stock > 0))) AS in_stock,"
        " p.price_fen AS price_fen, p.seller_id AS seller_id, COALESCE(s.field_id, 0) AS field_id,"
        " CASE WHEN p.has_variants THEN COALESCE((SELECT SUM(v.stock_added - v.stock)"
        " FROM catalog_variant v WHERE v.product_id = p.id), 0) ELSE p.stock_added - p.stock END"
        " AS sold FROM catalog_product p LEFT JOIN sellers_seller s ON s.account_id = p.seller_id"
        f") AS x WHERE {TABLE}.product_id = x.id"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_search_index"),
        ("sellers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="productsearch",
            name="field_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="productsearch",
            name="in_stock",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="productsearch",
            name="listed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="productsearch",
            name="price_fen",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="productsearch",
            name="seller_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="productsearch",
            name="sold",
            field=models.IntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="productsearch",
            index=models.Index(fields=["listed", "price_fen", "product"], name="catalog_ps_price"),
        ),
        migrations.AddIndex(
            model_name="productsearch",
            index=models.Index(fields=["listed", "sold", "product"], name="catalog_ps_sold"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
