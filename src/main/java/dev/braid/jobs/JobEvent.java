package dev.braid.jobs;

import java.util.Map;

/** An event of {@code GET /api/jobs/{id}/events}: {@code queued}, {@code started}, {@code tokens}, {@code finished}. */
public record JobEvent(String name, Map<String, Object> data) {
}
