"""A Java job that calls `addResource` on a receiver of some declared type, and a resource service
whose `addResource` reaches a task saver: whether the saver's change is reached from the job
shows whether the receiver's type ruled the call out (rules/trees/reach.py's _foreign_receiver)."""

from __future__ import annotations

from support.scanning import flagged_on_branch

SERVICE_PATH = "src/main/java/shop/develop/ResourceService.java"
SERVICE = ("package shop.develop;\n\npublic class ResourceService {\n    public Catalogue addResource(ResourceDTO dto) {\n"
           "        return saver.addOrUpdate(dto);\n    }\n}\n")
SAVER_PATH = "src/main/java/shop/develop/TaskSaver.java"
SAVER = ("package shop.develop;\n\npublic class TaskSaver {\n    public Catalogue addOrUpdate(ResourceDTO dto) {\n"
         "        check(dto);\n        return mapper.insert(dto);\n    }\n}\n")
# The job's receiver, declared of `{TYPE}` (`{INIT}`: how the field is built).
CLIENT = ("package shop.worker;\n\nimport org.apache.hadoop.yarn.conf.YarnConfiguration;\n"
          "import org.springframework.scheduling.annotation.Scheduled;\n\npublic class ScriptClient {\n"
          "    private {TYPE} yarnconf = {INIT};\n\n    @Scheduled(fixedDelay = 1000)\n"
          "    public void submit() {\n        yarnconf.addResource(path);\n    }\n}\n")


def saver_change(tmp_path, client: str, extra: dict | None = None) -> list[tuple]:
    """The warnings of a branch that changes the task saver, over a main of the service, the
    saver, the job ``client`` and ``extra`` files."""
    main = {SERVICE_PATH: SERVICE, SAVER_PATH: SAVER, "src/main/java/shop/worker/ScriptClient.java": client, **(extra or {})}
    return flagged_on_branch(tmp_path, main, {SAVER_PATH: SAVER.replace("check(dto);", "check(dto, true);")})
