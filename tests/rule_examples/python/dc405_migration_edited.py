# path: shop/migrations/0007_order_status.py
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0006_order")]

    operations = [
        migrations.AddField("order", "status", models.CharField(max_length=30, default="new")),  # error: DC405[high]
    ]
