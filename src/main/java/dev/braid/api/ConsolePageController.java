package dev.braid.api;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * WebFlux serves {@code static/console/index.html} only under its full name (welcome pages exist for
 * the root alone), so the console's short addresses redirect to it.
 */
@RestController
class ConsolePageController {

    @GetMapping({"/console", "/console/"})
    ResponseEntity<Void> console() {
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create("/console/index.html")).build();
    }
}
