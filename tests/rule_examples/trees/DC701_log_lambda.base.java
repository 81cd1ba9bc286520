// path: src/main/java/com/acme/GcReconciler.java
package com.acme;

class GcReconciler implements Reconciler<GcRequest> {
    public Result reconcile(GcRequest request) {
        client.delete(request.extension())
                .doOnSuccess(ignored -> log.info("Extension {} was deleted", request.extension()))
                .block();
        return Result.doNotRetry();
    }

    public void sweep(Extension extension) {
        client.delete(extension).doOnSuccess(ignored -> log.info("swept {}", extension)).block();
    }
}
