# path: worker/logs.py
import logging

from pythonjsonlogger.jsonlogger import JsonFormatter as BaseFormatter

from .models import Audit


class JsonFormatter(BaseFormatter):
    pass


class TaskFormatter(JsonFormatter):
    def add_fields(self, log_record, record, message_dict):
        message_dict.update({"taskId": record.data.get("id")})
        super().add_fields(log_record, record, message_dict)
        log_record.pop("data")


class AuditedFormatter(logging.Formatter):
    def format(self, record):
        return super().format(record)


class NotAFormatter:
    def add_fields(self, log_record, record):
        log_record.pop("data")
