// path: src/main/java/org/shop/web/ApiErrors.java
// A REST error mapping answers the client; it decides nothing about which insert wins.
package org.shop.web;

import org.springframework.dao.DuplicateKeyException;  // ok: DC253

@RestControllerAdvice
public class ApiErrors {
    @ExceptionHandler(DuplicateKeyException.class)  // ok: DC253
    ResponseEntity<String> conflict(DuplicateKeyException e) {  // ok: DC253
        return ResponseEntity.status(409).build();
    }
}
