package dev.braid.registry;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.models.*}: the models registered when the registry does not know them yet (first
 * start). {@code bundled} registers the models that ship in the jar ({@link BundledSeeds});
 * {@code seed} adds more, e.g. {@code braid.models.seed[0].name=tiny},
 * {@code braid.models.seed[0].path=/models/tiny}. A seed is a list a start argument replaces as a
 * whole, which is why the bundled models are not seeds: naming one seed must not drop them.
 */
@ConfigurationProperties("braid.models")
public record ModelsProperties(@DefaultValue("true") boolean bundled, @DefaultValue List<Seed> seed) {

    public ModelsProperties {
        seed = seed == null ? List.of() : List.copyOf(seed);
    }

    /**
     * @param capabilities  {@code apar}, {@code cllm}
     * @param draftPartner  name of a smaller registered model that drafts for this one
     * @param load          load it on the workers at start
     */
    public record Seed(String name, String path, @DefaultValue List<String> capabilities, String draftPartner,
                       @DefaultValue("true") boolean load) {

        public Seed {
            capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        }
    }
}
