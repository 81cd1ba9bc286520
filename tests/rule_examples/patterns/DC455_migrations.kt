// path: server/src/main/kotlin/suwayomi/tachidesk/server/database/migration/M0057_AddNewExtensionApiFields.kt
// SQL migrations held in Kotlin strings (Suwayomi's Exposed migrations): read as a .sql migration is.
package suwayomi.tachidesk.server.database.migration

@Suppress("ClassName", "unused")
class M0057_AddNewExtensionApiFields : Migration() {
    override fun run() {
        with(TransactionManager.current()) {
            exec("ALTER TABLE EXTENSION ADD COLUMN is_nsfw_v2 BOOLEAN DEFAULT FALSE") // ok: DC455
            exec("ALTER TABLE EXTENSION DROP COLUMN is_nsfw") // error: DC455
            exec("ALTER TABLE SOURCE ALTER COLUMN lang SET DATA TYPE VARCHAR(32)") // error: DC455
            exec("DELETE FROM SOURCE_META") // error: DC455
            exec("DELETE FROM SOURCE_META WHERE ref = 0") // ok: DC455
            exec("UPDATE CHAPTER SET is_read = FALSE") // error: DC455
            exec("UPDATE CHAPTER SET is_read = FALSE WHERE manga = 0") // ok: DC455
        }
    }
}
