// path: src/main/java/com/acme/GcReconciler.java
package com.acme;

class GcReconciler implements Reconciler<GcRequest> {
    public Result reconcile(GcRequest request) {
        client.delete(request.extension())
                .doOnSuccess(ignored -> log.info(  // error: DC701[info] (the lambda only logs, whatever it logs)
                        "Extension {} was deleted", request.extension().getMetadata().getName()))
                .block();
        return Result.doNotRetry();
    }

    public void sweep(Extension extension) {
        client.delete(extension).doOnSuccess(ignored -> log.info("swept {}", store.remove(extension))).block();  // error: DC701
    }
}
