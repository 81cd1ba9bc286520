// path: src/main/java/org/javaboy/vhr/task/MailSendTask.java
package org.javaboy.vhr.task;

@Component
public class MailSendTask {
    @Scheduled(cron = "0/10 * * * * ?")  // error: DC170, DC701
    public void mailResendTask() {
        List<MailSendLog> logs = mailSendLogService.getMailSendLogsByStatus();
        logs.forEach(mailSendLog -> {
            mailSendLog.setCount(mailSendLog.getCount() + 1);  // error: DC354
            mailSendLogService.updateMailSendLog(mailSendLog);
        });
        for (MailSendLog pending : mailSendLogService.getPending()) {
            pending.setTries(pending.getTries() + 1);  // ok: DC354
            notify(pending);
        }
    }
}
