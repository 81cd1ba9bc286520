// path: src/main/java/com/acme/security/TokenProvider.java
package com.acme.security;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

@Component
public class TokenProvider implements InitializingBean {

    private Key signingKey;
    private JwtBuilder jwtBuilder;
    private String lastUser;
    @Value("${jwt.secret}")
    private String secret;
    private final Clock clock;

    public TokenProvider(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void afterPropertiesSet() {
        signingKey = Keys.hmacShaKeyFor(secret.getBytes());
        jwtBuilder = Jwts.builder().signWith(signingKey);
    }

    public String createToken(String user) {
        return jwtBuilder
                .setSubject(user)
                .compact();
    }

    public String describe(String user) {
        return user + "@" + clock.millis();
    }

    public String owner(String lastUser) {
        return lastUser.trim();
    }
}
