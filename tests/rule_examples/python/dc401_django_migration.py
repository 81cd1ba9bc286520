# path: shop/migrations/0012_backfill_prices.py
from django.db import migrations


def double_prices(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    for product in Product.objects.all():
        product.price = product.price * 2  # ok: DC301
        product.save()


def halve_prices(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.update(price=models.F("price") / 2)


def check_prices(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    assert not Product.objects.filter(price__lt=0).exists()


class Migration(migrations.Migration):
    dependencies = [("shop", "0011_product_price")]

    operations = [
        migrations.RunPython(double_prices),  # error: DC401[high]
        migrations.RunPython(double_prices, migrations.RunPython.noop),  # error: DC401
        migrations.RunPython(double_prices, reverse_code=halve_prices),  # ok: DC401
        migrations.RunPython(check_prices, migrations.RunPython.noop),  # ok: DC401
        migrations.RunSQL("UPDATE shop_order SET status = 'paid' WHERE paid_at IS NOT NULL"),  # error: DC402[high]
        migrations.RunSQL("DELETE FROM shop_log", reverse_sql=migrations.RunSQL.noop),  # error: DC402
        migrations.RunSQL("CREATE INDEX order_status ON shop_order (status)", migrations.RunSQL.noop),  # ok: DC402
        migrations.RunSQL(  # ok: DC402
            "CREATE INDEX order_day ON shop_order (day)",
            reverse_sql="DROP INDEX order_day",
        ),
        migrations.RemoveField(model_name="order", name="legacy_total"),  # error: DC403[high]
        migrations.DeleteModel(name="Coupon"),  # error: DC403
        migrations.RenameField(model_name="order", old_name="ref", new_name="reference"),  # error: DC403
        migrations.AddField(model_name="order", name="note", field=models.TextField(default="")),  # ok: DC403
    ]
