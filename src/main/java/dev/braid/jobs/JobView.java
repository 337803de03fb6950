package dev.braid.jobs;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A job as {@code GET /api/jobs/{id}} shows it; {@code result} once it succeeded. */
public record JobView(UUID id, String state, String model, int attempts, boolean cancelRequested,
                      Instant createdAt, Instant startedAt, Instant finishedAt, String error, JsonNode result) {
}
