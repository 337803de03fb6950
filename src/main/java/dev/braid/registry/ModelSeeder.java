package dev.braid.registry;

import dev.braid.common.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Registers the bundled models (unless {@code braid.models.bundled} is off) and then the configured
 * seeds, each only when the registry does not know its name yet, then loads every model marked for
 * loading. It runs before the application reports ready, so readiness means the models are up (a
 * model that fails to load is reported by the admin API, not fatal).
 */
@Component
@Order(0)
class ModelSeeder implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ModelSeeder.class);

    private final ModelRegistry registry;
    private final ModelsProperties properties;

    ModelSeeder(ModelRegistry registry, ModelsProperties properties) {
        this.registry = registry;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        List<ModelsProperties.Seed> added = new ArrayList<>();
        if (properties.bundled()) {
            // a registry that already has them keeps them as an operator may have changed them
            BundledSeeds.ALL.stream().filter(seed -> !registry.isRegistered(seed.name()))
                    .forEach(seed -> register(seed, added));
        }
        for (ModelsProperties.Seed seed : properties.seed()) {
            if (registry.isRegistered(seed.name())) {
                // the registry is the source of truth once a model is in it: a seed never rewrites it
                log.info("seed model {} is already registered ({}); left as it is, change it with PATCH "
                        + "/api/admin/models/{}", seed.name(), registry.get(seed.name()).path(), seed.name());
                continue;
            }
            register(seed, added);
        }
        // partners second, so a seed may name one listed after it
        for (ModelsProperties.Seed seed : added) {
            String partner = Optional.ofNullable(seed.draftPartner()).filter(s -> !s.isBlank()).orElse(null);
            try {
                if (partner != null) {
                    registry.update(seed.name(), null, partner, false);
                }
            } catch (ServiceException e) {
                log.error("seed model {}: {}", seed.name(), e.getMessage());
            }
        }
        registry.loadAtStart();
        if (registry.servedModels().isEmpty()) {
            log.info("no models loaded: register one with POST /api/admin/models or braid.models.seed");
        }
    }

    private void register(ModelsProperties.Seed seed, List<ModelsProperties.Seed> added) {
        try {
            registry.register(seed.name(), seed.path(), seed.capabilities(), null, seed.load(), false);
            added.add(seed);
        } catch (ServiceException e) {
            log.error("seed model {} not registered: {}", seed.name(), e.getMessage());
        }
    }
}
