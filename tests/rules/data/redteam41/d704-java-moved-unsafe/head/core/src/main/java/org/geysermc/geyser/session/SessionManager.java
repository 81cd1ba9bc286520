package org.geysermc.geyser.session;

import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

public final class SessionManager {
    private final Map<UUID, Session> sessions = new ConcurrentHashMap<>();

    public void addPendingSession(Session session) {
        sessions.put(session.id(), session);
    }

}
