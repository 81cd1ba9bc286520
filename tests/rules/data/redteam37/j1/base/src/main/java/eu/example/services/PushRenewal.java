package eu.example.services;

import android.util.Log;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

public class PushRenewal {
    private static final String TAG = "PushRenewal";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger attempts = new AtomicInteger();

    public void start() {
        scheduler.scheduleAtFixedRate(this::renew, 1, 60, TimeUnit.MINUTES);
    }

    public void enqueue(String account) {
        pending.add(account);
    }

    private void renew() {
        Log.d(TAG, "renewing, attempt " + attempts.get());
        final String next = pending.peek();
        if (next != null) {
            Log.d(TAG, "next account " + next);
            register(next);
        }
    }

    private void register(String account) {
        if (send(account)) {
            pending.remove(account);
        }
    }

    private boolean send(String account) {
        return account.length() > 0;
    }
}
