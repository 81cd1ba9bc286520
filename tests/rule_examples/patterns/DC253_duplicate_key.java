// path: xmppserver/src/main/java/org/chat/auth/CredentialStore.java
// A duplicate-key error caught and handled: a concurrent insert of the same row is expected, and
// what the loser does (an update retried once) is concurrency control.
package org.chat.auth;

import java.sql.SQLIntegrityConstraintViolationException;  // ok: DC253

public class CredentialStore {
    void upsert(final Connection con, final Credential credential) throws SQLException {
        if (update(con, credential) > 0) {
            return;
        }
        try {
            insert(con, credential);
        } catch (final SQLException e) {
            if (!isIntegrityConstraintViolation(e) || update(con, credential) == 0) {  // error: DC253
                throw e;
            }
        }
    }

    void storeCredential(final Credential credential) {
        try {
            repository.save(credential);
        } catch (DataIntegrityViolationException e) {  // error: DC253
            repository.findByName(credential.name());
        }
    }
}
