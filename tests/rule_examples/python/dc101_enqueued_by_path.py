# path: core/jobs.py
from django.utils.module_loading import import_string

from core.models import DataSource, Job
from netbox.jobs import JobRunner


def sync_datasource(job):  # error: DC101[warning] (handed to enqueue by its dotted path, below)
    DataSource.objects.get(pk=job.object_id).sync()


def enqueue_sync(datasource):
    return Job.enqueue(import_string("core.jobs.sync_datasource"), instance=datasource)  # error: DC103[info]


class ScriptJob(JobRunner):
    def run(self, data):  # error: DC101[warning] (the class enqueues itself: its methods run in the worker)
        self.run_script(data)

    def run_script(self, data):  # error: DC101[warning]
        return data


def start(script):
    ScriptJob.enqueue(instance=script, data={})  # error: DC103[info]


def render(data):
    return str(data)  # ok: DC101
