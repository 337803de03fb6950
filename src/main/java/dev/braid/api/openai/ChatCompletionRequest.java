package dev.braid.api.openai;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/chat/completions}. {@code maxCompletionTokens} is the newer name of
 * {@code maxTokens}; {@code logprobs} switches log-probabilities on and {@code topLogprobs} (0-20)
 * asks for alternatives. {@code tools} are refused: Braid has no function calling.
 */
public record ChatCompletionRequest(String model, List<ChatMessage> messages, Integer maxTokens,
                                    Integer maxCompletionTokens, Double temperature, Double topP, Integer topK,
                                    Long seed, JsonNode stop, Integer n, Boolean logprobs, Integer topLogprobs,
                                    Double presencePenalty, Double frequencyPenalty, JsonNode tools,
                                    JsonNode responseFormat, Boolean stream, StreamOptions streamOptions,
                                    String strategy, JsonNode strategyParams) {

    /** {@code content} is a string or a list of {@code {"type": "text", "text": ...}} parts. */
    public record ChatMessage(String role, JsonNode content, String name) {
    }
}
