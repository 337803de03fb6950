package dev.braid.registry;

/** Published when a model starts or stops serving on this replica, e.g. for per-worker meters. */
public record ModelLifecycleEvent(ServedModel model, boolean loaded) {
}
