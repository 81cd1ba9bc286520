// path: src/main/java/com/acme/ReportActor.java
// An actor's handlers run on its dispatcher's threads; a router pool runs many actors at once,
// each taking the next message while the others work (PowerJob's server actors).
package com.acme;

import akka.actor.AbstractActor;
import akka.actor.Props;
import akka.routing.RoundRobinPool;

public class ReportActor extends AbstractActor {
    public static Props props() {
        return Props.create(ReportActor.class)  // error: DC701[warning] (runs on the actor system's threads)
                .withDispatcher("akka.report-dispatcher")  // error: DC511 (the threads its messages run on)
                .withRouter(new RoundRobinPool(8));  // error: DC511 (eight actors take messages at once)
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Report.class, report -> store.save(report))
                .build();
    }
}
