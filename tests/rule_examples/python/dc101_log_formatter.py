# path: worker/logs.py
import logging

from pythonjsonlogger.jsonlogger import JsonFormatter as BaseFormatter

from .models import Audit


class JsonFormatter(BaseFormatter):
    pass


class TaskFormatter(JsonFormatter):
    def add_fields(self, log_record, record, message_dict):
        if record and hasattr(record, "data"):  # error: DC101[info] (a formatter method that only fills in the record)
            if task_id := record.data.get("id"):
                message_dict["taskId"] = task_id
        super().add_fields(log_record, record, message_dict)
        if "data" in log_record:
            log_record.pop("data")


class AuditedFormatter(logging.Formatter):
    def format(self, record):
        Audit.objects.create(message=record.getMessage())  # error: DC101[warning] (writes a row, not only the record)
        return super().format(record)


class NotAFormatter:
    def add_fields(self, log_record, record):
        if "data" in log_record:  # error: DC101[warning] (not a log formatter)
            log_record.pop("data")
