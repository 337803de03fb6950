package dev.braid.api;

import dev.braid.common.ServiceException;
import dev.braid.registry.ModelRegistry;
import dev.braid.registry.ModelView;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The model registry for admins; every call blocks (JPA, weight loading) on boundedElastic. */
@RestController
@RequestMapping(path = "/api/admin/models", produces = MediaType.APPLICATION_JSON_VALUE)
class AdminModelsController {

    /** {@code POST} body: a model folder to register, loaded at once unless {@code load} is false. */
    record Registration(String name, String path, List<String> capabilities, String draftPartner, Boolean load) {
    }

    /** {@code PATCH} body: fields to change; {@code draft_partner: ""} removes the partner. */
    record Update(List<String> capabilities, String draftPartner) {
    }

    private final ModelRegistry registry;

    AdminModelsController(ModelRegistry registry) {
        this.registry = registry;
    }

    @GetMapping
    Mono<List<ModelView>> list() {
        return blocking(registry::list);
    }

    @GetMapping("/{name}")
    Mono<ModelView> get(@PathVariable String name) {
        return blocking(() -> registry.get(name));
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<ModelView>> register(@RequestBody Registration body) {
        if (body.name() == null) {
            return Mono.error(ServiceException.invalid("name", "name is required"));
        }
        return blocking(() -> registry.register(body.name(), body.path(), body.capabilities(), blankToNull(body.draftPartner()),
                body.load() == null || body.load()))
                .map(view -> ResponseEntity.status(HttpStatus.CREATED).body(view));
    }

    @PatchMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ModelView> update(@PathVariable String name, @RequestBody Update body) {
        boolean clear = body.draftPartner() != null && body.draftPartner().isBlank();
        return blocking(() -> registry.update(name, body.capabilities(), clear ? null : body.draftPartner(), clear));
    }

    @PostMapping("/{name}/load")
    Mono<ModelView> load(@PathVariable String name) {
        return blocking(() -> registry.load(name));
    }

    @PostMapping("/{name}/unload")
    Mono<ModelView> unload(@PathVariable String name) {
        return blocking(() -> registry.unload(name));
    }

    @DeleteMapping("/{name}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String name) {
        return blocking(() -> {
            registry.delete(name);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }
}
