// path: src/main/java/com/example/sweep/Sweeper.java
package com.example.sweep;

public class Sweeper {
    boolean lead(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT GET_LOCK('sweeper', 0)", Boolean.class);  // error: DC253
    }
}
