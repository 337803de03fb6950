package dev.braid.registry;

import dev.braid.model.BundledModels;
import java.util.List;

/**
 * How the models in the jar are registered when {@code braid.models.bundled} is on: what each was
 * trained for and which one drafts for braid-base. The weights themselves are {@link BundledModels}.
 */
public final class BundledSeeds {

    static final List<ModelsProperties.Seed> ALL = List.of(
            seed("braid-base", List.of(), "braid-draft"),
            seed("braid-draft", List.of(), null),
            // fine-tuned on its Jacobi trajectories: jacobi takes fewer steps
            seed("braid-cllm", List.of(Capability.CLLM.id()), null),
            // fine-tuned to fork list items: apar writes them in parallel
            seed("braid-apar", List.of(Capability.APAR.id()), null));

    private BundledSeeds() {
    }

    /** The capabilities the registry gives a bundled model (empty for any other name). */
    public static List<String> capabilities(String name) {
        return ALL.stream().filter(seed -> seed.name().equals(name)).findFirst()
                .map(ModelsProperties.Seed::capabilities).orElse(List.of());
    }

    private static ModelsProperties.Seed seed(String name, List<String> capabilities, String draftPartner) {
        return new ModelsProperties.Seed(name, BundledModels.SCHEME + name, capabilities, draftPartner, true);
    }
}
