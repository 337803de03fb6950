package dev.braid.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.braid.jobs.BraidInfo;
import java.util.List;

/** {@code chat.completion} responses and {@code chat.completion.chunk} stream chunks. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionResponse(String id, String object, long created, String model, List<Choice> choices,
                                     @JsonInclude(JsonInclude.Include.ALWAYS) Usage usage, BraidInfo braid) {

    /** {@code message} in a response, {@code delta} in a chunk. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Choice(int index, Message message, Message delta,
                         @JsonInclude(JsonInclude.Include.ALWAYS) Logprobs logprobs,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(String role, String content, String refusal) {
    }

    public record Logprobs(List<TokenLogprob> content, @JsonInclude(JsonInclude.Include.ALWAYS) Object refusal) {
    }

    public record TokenLogprob(String token, float logprob, List<Integer> bytes, List<TopLogprob> topLogprobs) {
    }

    public record TopLogprob(String token, float logprob, List<Integer> bytes) {
    }
}
