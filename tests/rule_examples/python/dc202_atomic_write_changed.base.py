# path: accounts/signup.py
from .models import Profile, Product


def create_profile(user):
    return Profile.objects.create(user=user)


def sell(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.sold = product.sold + quantity
    product.save()


def lookup(user):
    return Profile.objects.filter(user=user).first()
