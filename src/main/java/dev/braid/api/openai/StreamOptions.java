package dev.braid.api.openai;

/** {@code include_usage}: send a last chunk with {@code usage} and no choices before {@code [DONE]}. */
public record StreamOptions(Boolean includeUsage) {
}
