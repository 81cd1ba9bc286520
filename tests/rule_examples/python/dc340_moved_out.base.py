# path: documents/bulk_edit.py
from django.db import transaction

from .models import DocumentTag
from .tasks import bulk_update_documents


def modify_tags(affected_docs, remove_tags):
    with transaction.atomic():
        DocumentTag.objects.filter(document_id__in=affected_docs, tag_id__in=remove_tags).delete()
        if affected_docs:
            bulk_update_documents.apply_async(kwargs={"document_ids": affected_docs})
