package dev.braid.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The category acceptance history is kept under: length, then what the prompt asks for. */
class PromptShapeTest {

    @Test
    void theCategoryIsTheLengthAndTheShapeOfTheAsk() {
        assertThat(PromptShape.of("Tell me about caching.", 63, 0, 1, false).category()).isEqualTo("short");
        assertThat(PromptShape.of("Tell me about caching.", 64, 0, 1, false).category()).isEqualTo("medium");
        assertThat(PromptShape.of("Tell me about caching.", 512, 0, 1, false).category()).isEqualTo("long");
        assertThat(PromptShape.of("List five tips for caching.", 12, 0, 1, false).category()).isEqualTo("short/list");
        assertThat(PromptShape.of("What is a cache, and why does it help?", 100, 0, 1, false).category())
                .isEqualTo("medium/multi-part");
        assertThat(PromptShape.of("What is a cache?", 12, 0, 1, false).category())
                .as("one question word is one question").isEqualTo("short");
    }
}
