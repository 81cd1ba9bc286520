# path: inventory/jobs.py
# A job the running Python cannot parse: nothing in it can be checked, so the file itself is the finding.
from celery import shared_task


@shared_task
def reserve_stock(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.save(  # error: DC001[high]
