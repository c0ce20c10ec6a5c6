"""The starting list of expert fields; staff may add more in the admin."""

from django.db import migrations

FIELDS = [
    ("beauty", "Beauty", "美妆"),
    ("fashion", "Fashion", "时尚"),
    ("tech", "Tech", "科技"),
    ("food", "Food", "美食"),
    ("travel", "Travel", "旅行"),
    ("parenting", "Parenting", "育儿"),
    ("fitness", "Fitness", "健身"),
    ("home", "Home", "家居"),
    ("books", "Books", "读书"),
    ("games", "Games", "游戏"),
]


def create_fields(apps, schema_editor):
    ExpertField = apps.get_model("accounts", "ExpertField")
    for position, (slug, name_en, name_zh) in enumerate(FIELDS, start=1):
        ExpertField.objects.update_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_zh": name_zh, "position": position * 10},
        )


def remove_fields(apps, schema_editor):
    ExpertField = apps.get_model("accounts", "ExpertField")
    ExpertField.objects.filter(slug__in=[slug for slug, _en, _zh in FIELDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_fields, remove_fields)]
