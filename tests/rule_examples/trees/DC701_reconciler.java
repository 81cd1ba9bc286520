// path: src/main/java/com/acme/PluginReconciler.java
package com.acme;

class PluginReconciler implements Reconciler<Request>, DisposableBean {
    @Override
    public Result reconcile(Request request) {
        client.fetch(Plugin.class, request.name()).ifPresent(this::uninstall);
        return Result.doNotRetry();
    }

    private void uninstall(Plugin plugin) {
        if (!pluginManager.deletePlugin(plugin.getName())) {  // error: DC701 (a controller's workers run it)
            throw new RequeueException(new Result(true, Duration.ofSeconds(10)), "delete failed");
        }
    }
}
