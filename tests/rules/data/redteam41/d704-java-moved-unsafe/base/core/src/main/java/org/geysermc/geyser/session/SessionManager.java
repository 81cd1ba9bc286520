package org.geysermc.geyser.session;

import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

public final class SessionManager {
    private final Map<UUID, Session> sessions = new ConcurrentHashMap<>();

    /** Connections per address. */
    private final Map<InetAddress, AtomicInteger> connectedClients = new ConcurrentHashMap<>();

    public void addPendingSession(Session session) {
        sessions.put(session.id(), session);
        connectedClients.compute(session.address(), (key, count) -> {
            if (count == null) {
                return new AtomicInteger(1);
            }
            count.incrementAndGet();
            return count;
        });
    }

    public int getAddressMultiplier(InetAddress ip) {
        AtomicInteger counter = connectedClients.get(ip);
        return counter == null ? 1 : counter.get();
    }
}
