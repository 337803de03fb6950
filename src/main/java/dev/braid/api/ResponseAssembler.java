package dev.braid.api;

import dev.braid.api.openai.ChatCompletionResponse;
import dev.braid.api.openai.CompletionResponse;
import dev.braid.api.openai.Usage;
import dev.braid.decoding.GenerationResult;
import dev.braid.model.Tokenizer;
import dev.braid.decoding.TokenLogprobs;
import dev.braid.jobs.BraidInfo;
import dev.braid.jobs.Generation;
import dev.braid.jobs.GenerationEvent;
import dev.braid.jobs.IncrementalText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows one generation's events and keeps, per sequence, the streamed text and the token
 * log-probabilities, in the two OpenAI shapes (legacy completions, chat). Not thread-safe: one
 * reactive pipeline feeds it in order.
 */
final class ResponseAssembler {

    private final Generation generation;
    private final Tokenizer tokenizer;
    private final List<IncrementalText> texts = new ArrayList<>();
    private final List<List<TokenLogprobs>> logprobs = new ArrayList<>();
    private final boolean wantLogprobs;
    private GenerationResult result;

    ResponseAssembler(Generation generation) {
        this.generation = generation;
        this.tokenizer = generation.command().model().model().tokenizer();
        this.wantLogprobs = generation.command().logprobsTop() >= 0;
        for (int i = 0; i < generation.command().n(); i++) {
            texts.add(new IncrementalText(tokenizer, generation.command().stop().stopStrings()));
            logprobs.add(new ArrayList<>());
        }
    }

    /** Text that became certain for sequence {@code event.sequence()}, and records its logprobs. */
    String onTokens(GenerationEvent.Tokens event) {
        if (event.logprobs() != null) {
            logprobs.get(event.sequence()).addAll(List.of(event.logprobs()));
        }
        return texts.get(event.sequence()).append(event.ids());
    }

    /** Keeps only the log-probabilities: a non-streamed response decodes the text once, at the end. */
    void recordLogprobs(GenerationEvent.Tokens event) {
        if (event.logprobs() != null) {
            logprobs.get(event.sequence()).addAll(List.of(event.logprobs()));
        }
    }

    /** The rest of sequence {@code i}'s text once the result is in. */
    String finish(int i) {
        return texts.get(i).finish(result.completions().get(i));
    }

    void onFinished(GenerationResult result) {
        this.result = result;
    }

    GenerationResult result() {
        return result;
    }

    Usage usage() {
        return Usage.of(result.promptTokens(), result.completionTokens());
    }

    BraidInfo braid() {
        return BraidInfo.of(generation, result);
    }

    String finishReason(int i) {
        return result.completions().get(i).finishReason().openAiName();
    }

    /** Logprobs recorded since the last call, for a stream chunk; all of them for a response. */
    List<TokenLogprobs> takeLogprobs(int i) {
        List<TokenLogprobs> list = logprobs.get(i);
        List<TokenLogprobs> taken = List.copyOf(list);
        list.clear();
        return taken;
    }

    CompletionResponse.Logprobs completionLogprobs(List<TokenLogprobs> entries, int startOffset) {
        if (!wantLogprobs) {
            return null;
        }
        List<String> tokens = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        List<Map<String, Float>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int offset = startOffset;
        for (TokenLogprobs entry : entries) {
            String token = token(entry.tokenId());
            tokens.add(token);
            values.add(entry.logprob());
            Map<String, Float> top = new LinkedHashMap<>();
            for (int k = 0; k < entry.topIds().length; k++) {
                top.putIfAbsent(token(entry.topIds()[k]), entry.topLogprobs()[k]);
            }
            tops.add(top);
            offsets.add(offset);
            offset += token.length();
        }
        return new CompletionResponse.Logprobs(tokens, values, tops, offsets);
    }

    ChatCompletionResponse.Logprobs chatLogprobs(List<TokenLogprobs> entries) {
        if (!wantLogprobs) {
            return null;
        }
        List<ChatCompletionResponse.TokenLogprob> content = new ArrayList<>();
        for (TokenLogprobs entry : entries) {
            List<ChatCompletionResponse.TopLogprob> top = new ArrayList<>();
            for (int k = 0; k < entry.topIds().length; k++) {
                String t = token(entry.topIds()[k]);
                top.add(new ChatCompletionResponse.TopLogprob(t, entry.topLogprobs()[k], bytes(t)));
            }
            String token = token(entry.tokenId());
            content.add(new ChatCompletionResponse.TokenLogprob(token, entry.logprob(), bytes(token), top));
        }
        return new ChatCompletionResponse.Logprobs(content, null);
    }

    private String token(int id) {
        return tokenizer.decode(new int[] {id});
    }

    private static List<Integer> bytes(String token) {
        byte[] raw = token.getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>(raw.length);
        for (byte b : raw) {
            out.add(b & 0xff);
        }
        return out;
    }
}
