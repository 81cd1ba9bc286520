package com.acme.mail;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

public class OutboxRelay {
    private static final Logger log = Logger.getLogger(OutboxRelay.class.getName());
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Outbox outbox;
    private final SmtpSender sender;

    public OutboxRelay(Outbox outbox, SmtpSender sender) {
        this.outbox = outbox;
        this.sender = sender;
        scheduler.scheduleWithFixedDelay(this::relay, 0, 10, TimeUnit.SECONDS);
    }

    void relay() {
        OutboxMessage next = outbox.getNextMessage("smtp");
        while (next != null) {
            sender.send(next);
            outbox.markSent(next.id());
            next = outbox.getNextMessage("smtp");
        }
        log.fine("relay idle");
    }
}
