// path: agent/src/main/java/org/example/agent/fetcher/ManagerFetcher.java
package org.example.agent.fetcher;

import java.util.ArrayList;
import java.util.List;

public class ManagerFetcher extends AbstractDaemon implements ProfileFetcher {
    private final TaskManager taskManager;

    public ManagerFetcher(TaskManager taskManager) {
        this.taskManager = taskManager;
    }

    private void fetchTasks(List<DataConfig> configs) {
        List<TaskProfile> profiles = new ArrayList<>();
        configs.forEach(config -> profiles.add(TaskProfile.of(config)));
        taskManager.submitTaskProfiles(profiles);
    }
}

class DaemonSettingsView extends SettingsView {
    String title() {
        return "Daemon";
    }
}
