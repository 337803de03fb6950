package dev.braid.decoding;

import dev.braid.kv.BlockTable;
import dev.braid.model.Tokenizer;
import java.util.Arrays;

/**
 * One decoded sequence: its prompt, the tokens accepted so far, its KV block table and its own
 * sampler. Tokens at positions {@code [table.length(), all().length)} are not yet in the cache.
 */
public final class Sequence {

    private final int[] prompt;
    private final Sampler sampler;
    private final StopCriteria stop;
    private final int contextLength;
    private BlockTable table;
    private int[] generated = new int[16];
    private int generatedCount;
    private FinishReason finishReason;
    private String stopString;

    public Sequence(int[] prompt, Sampler sampler, StopCriteria stop, int contextLength, BlockTable table) {
        this.prompt = prompt;
        this.sampler = sampler;
        this.stop = stop;
        this.contextLength = contextLength;
        this.table = table;
    }

    /** A sibling continuing from the same tokens, with its own table and sampler. */
    public Sequence fork(BlockTable childTable, Sampler childSampler) {
        Sequence child = new Sequence(prompt, childSampler, stop, contextLength, childTable);
        child.generated = Arrays.copyOf(generated, generated.length);
        child.generatedCount = generatedCount;
        return child;
    }

    public BlockTable table() {
        return table;
    }

    public void replaceTable(BlockTable table) {
        this.table = table;
    }

    public Sampler sampler() {
        return sampler;
    }

    public int[] generated() {
        return Arrays.copyOf(generated, generatedCount);
    }

    /** The last {@code count} generated tokens (fewer if fewer were generated). */
    private int[] newest(int count) {
        int from = Math.max(0, generatedCount - count);
        return Arrays.copyOfRange(generated, from, generatedCount);
    }

    public int generatedCount() {
        return generatedCount;
    }

    public int length() {
        return prompt.length + generatedCount;
    }

    public int lastToken() {
        return generatedCount == 0 ? prompt[prompt.length - 1] : generated[generatedCount - 1];
    }

    /** Tokens {@code [from, length())} of prompt + generated. */
    public int[] tokens(int from) {
        int[] out = new int[length() - from];
        for (int i = from; i < length(); i++) {
            out[i - from] = i < prompt.length ? prompt[i] : generated[i - prompt.length];
        }
        return out;
    }

    /**
     * Tokens the sequence may still accept before its length budget or the model's context stops it;
     * planners use it not to guess past the end.
     */
    public int tokensLeft() {
        return Math.min(stop.maxNewTokens() - generatedCount, contextLength + 1 - length());
    }

    /** How many leading tokens of {@code tokens} this sequence's prompt and generated tokens start with. */
    public int commonPrefix(int[] tokens) {
        int n = Math.min(tokens.length, length());
        int i = 0;
        while (i < n && tokens[i] == (i < prompt.length ? prompt[i] : generated[i - prompt.length])) {
            i++;
        }
        return i;
    }

    /** How many tokens are not yet in the KV cache. */
    public int pendingCount() {
        return length() - table.length();
    }

    /** Tokens not yet in the KV cache. */
    public int[] pending() {
        return tokens(table.length());
    }

    public boolean finished() {
        return finishReason != null;
    }

    public FinishReason finishReason() {
        return finishReason;
    }

    public String stopString() {
        return stopString;
    }

    /**
     * Appends a token and applies the stop criteria.
     *
     * @return true if the sequence may take more tokens
     */
    public boolean accept(int token, Tokenizer tokenizer) {
        if (finished()) {
            throw new IllegalStateException("sequence already finished: " + finishReason);
        }
        if (generatedCount == generated.length) {
            generated = Arrays.copyOf(generated, generated.length * 2);
        }
        generated[generatedCount++] = token;
        if (stop.stopTokenIds().contains(token)) {
            finishReason = FinishReason.STOP;
        } else if (!stop.stopStrings().isEmpty() && (stopString = stop.stopStringIn(tokenizer.decode(newest(stop.stopWindowTokens())))) != null) {
            finishReason = FinishReason.STOP;
        } else if (generatedCount >= stop.maxNewTokens() || length() > contextLength) {
            finishReason = FinishReason.LENGTH;
        }
        return !finished();
    }

    public void finish(FinishReason reason) {
        if (finishReason == null) {
            finishReason = reason;
        }
    }

    public GenerationResult.Completion completion() {
        return new GenerationResult.Completion(generated(),
                finishReason == null ? FinishReason.CANCELLED : finishReason, stopString);
    }
}
