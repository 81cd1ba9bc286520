package org.geysermc.geyser.session;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Connections per address, counted as sessions start on the network threads. */
public final class ConnectionLimiter {
    private final Map<InetAddress, Integer> connectedClients = new HashMap<>();

    @Subscribe
    public void onSessionInitialize(SessionInitializeEvent event) {
        connectedClients.merge(event.connection().address(), 1, Integer::sum);
    }

    public int getAddressMultiplier(InetAddress ip) {
        return connectedClients.getOrDefault(ip, 1);
    }
}
