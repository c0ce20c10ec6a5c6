# Access and refresh tokens made before hashed storage (settings: COMPLIANT_BCP_RFC9700_TOKEN_STORAGE)
# kept their value in clear beside its SHA-256: keep the checksum (what lookups read), empty
# the value. Irreversible by design: the values are gone.

import hashlib

from django.db import migrations


def hash_stored(apps, schema_editor):
    for name in ("AccessToken", "RefreshToken"):
        model = apps.get_model("oauth2_provider", name)
        rows = model.objects.exclude(token="")
        for token in rows.only("pk", "token", "token_checksum").iterator(chunk_size=1000):
            checksum = hashlib.sha256(token.token.encode("utf-8")).hexdigest()
            # The checksum is what a lookup reads: set it where it is missing or stale.
            model.objects.filter(pk=token.pk).update(token="", token_checksum=checksum)


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0003_push_subscriptions"),
        ("oauth2_provider", "0022_refreshtoken_token_family_index"),
    ]

    operations = [migrations.RunPython(hash_stored, migrations.RunPython.noop)]
