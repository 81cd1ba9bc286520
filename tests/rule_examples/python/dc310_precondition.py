# path: documents/api.py
"""A version or ETag precondition checked on an unlocked read, before the write."""
import sys

from django.db import transaction
from rest_framework.response import Response

from .models import Document


def etag_of(document):
    return f'"{document.updated_at.isoformat()}"'


def update_document(request, pk):
    document = Document.objects.get(pk=pk)
    if request.headers.get("If-Match") != etag_of(document):  # error: DC310[high]
        return Response(status=412)
    document.title = request.data["title"]
    document.save()
    return Response(status=200)


def rename(pk, title, expected_version):
    document = Document.objects.get(pk=pk)
    if document.version != expected_version:  # error: DC310[high]
        raise ValueError("stale")
    document.title = title
    document.version += 1  # error: DC301
    document.save()


def rename_atomically(pk, title, expected_version):
    document = Document.objects.get(pk=pk)
    if document.version != expected_version:  # ok: DC310 (the update compares the version itself)
        raise ValueError("stale")
    updated = Document.objects.filter(pk=pk, version=expected_version).update(title=title, version=expected_version + 1)  # error: DC202
    if not updated:
        raise ValueError("stale")


def rename_locked(pk, title, expected_version):
    with transaction.atomic():  # error: DC201
        document = Document.objects.select_for_update().get(pk=pk)  # error: DC201
        if document.version != expected_version:  # ok: DC310 (the row is locked)
            raise ValueError("stale")
        document.title = title
        document.save()


def archive(pk):
    document = Document.objects.get(pk=pk)
    if sys.version_info < (3, 11):  # ok: DC310 (not a precondition on the row)
        return
    document.archived = True
    document.save()
