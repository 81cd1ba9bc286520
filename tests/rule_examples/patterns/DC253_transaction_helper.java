// path: src/main/java/org/tracker/resources/ProjectResource.java
// A transaction opened by hand is named for what it does (Dependency-Track's project delete,
// moved from one transaction helper to another).
package org.tracker.resources;

public class ProjectResource {
    public void deleteProject(final UUID uuid) {
        logDeleted(inJdbiTransaction(request, handle -> handle.attach(ProjectDao.class).delete(uuid)));  // error: DC253
        transactionTemplate.execute(status -> repository.deleteAll());  // error: DC253
        qm.runInTransaction(() -> qm.delete(project));  // error: DC253
        final Transaction current = getTransaction();  // ok: DC253
        describeTransaction(uuid);  // ok: DC253
    }
}
