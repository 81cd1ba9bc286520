// path: src/main/java/com/acme/security/TokenProvider.java
package com.acme.security;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

@Component
public class TokenProvider implements InitializingBean {

    private Key signingKey;
    private String lastUser;
    @Value("${jwt.secret}")
    private String secret;
    private final Clock clock;

    public TokenProvider(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void afterPropertiesSet() {
        signingKey = Keys.hmacShaKeyFor(secret.getBytes());  // ok: DC710 (set up once, before any request)
    }

    public String createToken(String user) {
        return Jwts.builder()  // error: DC710 (no longer uses the shared builder; now uses the key)
                .setSubject(user)
                .signWith(signingKey)
                .compact();
    }

    public String describe(String user) {
        this.lastUser = user;  // error: DC710 (written per call: concurrent requests overwrite it)
        return user + "@" + clock.millis() + secret;  // ok: DC710 (final and injected fields are not shared state)
    }

    public String owner(String lastUser) {
        return lastUser.strip();  // ok: DC710 (the parameter shadows the field)
    }
}
