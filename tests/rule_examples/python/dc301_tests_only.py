# path: shop/tests/test_stock.py
from shop.models import Product


def test_decrement(db):
    product = Product.objects.get(pk=1)
    product.stock = product.stock - 1  # ok: DC301
    product.save()
