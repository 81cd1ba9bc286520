// path: src/main/java/com/acme/ReportActor.java
package com.acme;

import akka.actor.AbstractActor;
import akka.actor.Props;

public class ReportActor extends AbstractActor {
    public static Props props() {
        return Props.create(ReportActor.class);
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Report.class, report -> store.save(report))
                .build();
    }
}
