# path: shop/migrations/0008_alter_order_status.py
from django.db import migrations, models


class Migration(migrations.Migration):  # ok: DC405
    dependencies = [("shop", "0007_order_status")]

    operations = [
        migrations.AlterField("order", "status", models.CharField(max_length=30, default="new")),  # ok: DC403
    ]
