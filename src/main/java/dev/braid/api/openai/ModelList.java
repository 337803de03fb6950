package dev.braid.api.openai;

import java.util.List;

/** {@code GET /v1/models}: the models this replica serves now. */
public record ModelList(String object, List<ModelCard> data) {

    public record ModelCard(String id, String object, long created, String ownedBy) {
    }
}
