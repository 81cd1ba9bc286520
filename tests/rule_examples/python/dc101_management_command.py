# path: shop/management/commands/recount_stock.py
from django.core.management.base import BaseCommand

from shop.models import Product


class Command(BaseCommand):
    help = "Recount stock"

    def add_arguments(self, parser):  # error: DC101[warning]
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):  # error: DC101[warning]
        for product in Product.objects.all():
            product.stock = product.stock + product.returned  # error: DC301
            product.save()
