package dev.braid.registry;

/** Where a registered model stands on this replica's workers. */
public enum ModelState {
    UNLOADED, LOADING, LOADED, FAILED;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
