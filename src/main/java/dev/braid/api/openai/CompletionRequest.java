package dev.braid.api.openai;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/completions}. {@code prompt} is a string, a list of token ids, or a list holding
 * one of those; {@code stop} a string or up to 4 strings. {@code strategy} and
 * {@code strategyParams} are Braid's extension.
 *
 * @param logprobs number of alternatives per token (0-5) to report with each token's logprob
 */
public record CompletionRequest(String model, JsonNode prompt, Integer maxTokens, Double temperature, Double topP,
                                Integer topK, Long seed, JsonNode stop, Integer n, Integer logprobs, Boolean echo,
                                Integer bestOf, String suffix, Double presencePenalty, Double frequencyPenalty,
                                Boolean stream, StreamOptions streamOptions, String strategy,
                                JsonNode strategyParams) {
}
