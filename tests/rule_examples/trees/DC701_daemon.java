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
        configs.stream().filter(Validator::allowed).forEach(config -> profiles.add(TaskProfile.of(config)));  // error: DC701
        taskManager.submitTaskProfiles(profiles);
    }
}

// A view named for daemons extends no daemon.
class DaemonSettingsView extends SettingsView {
    String title() {
        return "Daemons";  // ok: DC701
    }
}
