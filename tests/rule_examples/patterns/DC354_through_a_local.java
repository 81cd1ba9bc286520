// path: notification-service/src/main/java/com/piggymetrics/notification/service/NotificationServiceImpl.java
// The postmortem's refactor in Java (a new user's trial on piggymetrics): the old count is read
// into a local, one added, and the row saved back.
package com.piggymetrics.notification.service;

public class NotificationServiceImpl {
    public void markNotified(String accountName) {
        Recipient latest = recipientRepository.findByAccountName(accountName);
        int sent = latest.getRemindersSent();
        latest.setRemindersSent(sent + 1);  // error: DC354[high]
        recipientRepository.save(latest);
    }

    public void markTwice(String accountName, int extra) {
        Recipient latest = recipientRepository.findByAccountName(accountName);
        int sent = extra;
        latest.setRemindersSent(sent + 1);  // ok: DC354 (the local is not the old value)
        recipientRepository.save(latest);
    }

    public void markReset(String accountName) {
        Recipient latest = recipientRepository.findByAccountName(accountName);
        int sent = latest.getRemindersSent();
        sent = 0;
        latest.setRemindersSent(sent + 1);  // ok: DC354 (set again before the write)
        recipientRepository.save(latest);
    }
}
