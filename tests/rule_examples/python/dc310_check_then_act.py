# path: billing/invoices.py
from django.db import IntegrityError, transaction

from .models import Artifact, Invoice, Order, OrderMetadata, ReservedResource, Subscription
from .serializers import ArtifactSerializer


def create_invoice(order):
    if not Invoice.objects.filter(order=order).exists():  # error: DC310[high]
        Invoice.objects.create(order=order, amount=order.total)


def ensure_subscription(user, plan):
    subscription = Subscription.objects.filter(user=user).first()  # ok: DC310
    if subscription is None:  # error: DC310
        subscription = Subscription(user=user, plan=plan)
        subscription.save()
    return subscription


def duplicate_subscription(user, pk):
    original = Subscription.objects.filter(pk=pk).first()
    if original is None:  # ok: DC310 (the copy is made because the row was found, not missing)
        return None
    return Subscription.objects.create(user=user, plan=original.plan)


def replace_subscription(user, plan):
    current = Subscription.objects.filter(user=user).first()
    if current is None:  # error: DC310 (two runs both find the old row, both archive it and both create its successor)
        return None
    archive(current)
    return Subscription.objects.create(user=user, plan=plan)


def renew_subscription(user, plan):
    current = Subscription.objects.filter(user=user).first()
    if not current:  # error: DC310
        Subscription.objects.create(user=user, plan=plan)
    return current


def import_order(reference, data):
    try:  # error: DC310
        Order.objects.get(reference=reference)
    except Order.DoesNotExist:
        Order.objects.create(reference=reference, **data)


def cancel_duplicate(order):
    if Invoice.objects.filter(order=order).count() > 1:  # error: DC310
        return
    Invoice.objects.filter(order=order, draft=True).delete()


def create_invoice_safely(order):
    if Invoice.objects.filter(order=order).exists():  # ok: DC310
        return None
    try:
        with transaction.atomic():  # error: DC201
            return Invoice.objects.create(order=order, amount=order.total)
    except IntegrityError:
        return Invoice.objects.get(order=order)


def create_invoice_idempotent(order):
    invoice, _ = Invoice.objects.get_or_create(order=order, defaults={"amount": order.total})  # ok: DC310
    return invoice


def log_if_missing(order, logger):
    if not Invoice.objects.filter(order=order).exists():  # ok: DC310
        logger.warning("order %s has no invoice", order.pk)
    Order.objects.filter(pk=order.pk).update(checked=True)


def metadata_for(order):
    if hasattr(order, "metadata"):  # error: DC310[high]
        return order.metadata
    else:
        return OrderMetadata.objects.create(order=order)


def metadata_for_safely(order):
    metadata, _ = OrderMetadata.objects.get_or_create(order=order)  # ok: DC310
    return metadata


def artifact_for(data):
    try:  # error: DC310[high]
        return Artifact.objects.get(sha256=data["sha256"])
    except Artifact.DoesNotExist:
        serializer = ArtifactSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.save()


class ContentSerializer:
    def create(self, validated_data):
        content = self.retrieve(validated_data)
        if content is not None:  # error: DC310[high]
            content.touch()
        else:
            content = self.Meta.model.objects.create(**validated_data)
        return content

    def retrieve(self, validated_data):
        return None


def reserve(worker, resources, task):
    for resource in resources:
        if worker.reservations.filter(resource=resource).exists():  # error: DC310[high]
            reservation = worker.reservations.get(resource=resource)
        else:
            reservation = ReservedResource.objects.create(worker=worker, resource=resource)
        reservation.tasks.add(task)
