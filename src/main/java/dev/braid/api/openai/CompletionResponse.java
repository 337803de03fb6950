package dev.braid.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.braid.jobs.BraidInfo;
import java.util.List;
import java.util.Map;

/** {@code text_completion} responses and stream chunks (which leave {@code usage} out until the end). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionResponse(String id, String object, long created, String model, List<Choice> choices,
                                 @JsonInclude(JsonInclude.Include.ALWAYS) Usage usage, BraidInfo braid) {

    public record Choice(String text, int index, @JsonInclude(JsonInclude.Include.ALWAYS) Logprobs logprobs,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {
    }

    /** The legacy completions format: parallel lists, one entry per token. */
    public record Logprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs,
                           List<Integer> textOffset) {
    }
}
