package dev.braid.cli;

import ai.djl.ndarray.NDScope;
import dev.braid.decoding.TokenLogprobs;
import dev.braid.kv.BlockTable;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.LoadedModel;
import dev.braid.model.StepBatch;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.List;

/**
 * How likely a reference model finds an answer: the mean log-probability per token of the answer's
 * text, re-tokenized by the reference model, after the question in the reference's chat format. One
 * prefill pass per answer on a KV cache of its own, so it never competes with a worker's pool.
 */
final class AnswerScorer implements AutoCloseable {

    private static final int BLOCK_SIZE = 16;

    private final LoadedModel reference;
    private final PagedKvCache cache;

    AnswerScorer(LoadedModel reference) {
        this.reference = reference;
        int blocks = reference.config().maxPositionEmbeddings() / BLOCK_SIZE + 1;
        this.cache = new PagedKvCache(reference.transformer().cacheSpec(BLOCK_SIZE, blocks), reference.transformer().device());
    }

    String model() {
        return reference.name();
    }

    /**
     * Mean natural-log probability per answer token; answers longer than the reference's context are
     * scored on the tokens that fit. NaN for an empty answer.
     */
    double meanLogLikelihood(String question, String answer) {
        int[] prompt = reference.tokenizer().encode(GenerateCommand.asUserTurn(reference, question, false));
        int[] tokens = reference.tokenizer().encode(answer, false);
        int fit = Math.min(tokens.length, reference.config().maxPositionEmbeddings() - prompt.length);
        if (fit <= 0) {
            return Double.NaN;
        }
        int[] all = new int[prompt.length + fit];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(tokens, 0, all, prompt.length, fit);
        BlockTable table = cache.newSequence();
        try (NDScope ignored = new NDScope()) {
            if (!cache.reserve(table, all.length)) {
                throw new IllegalStateException("the scoring cache cannot hold " + all.length + " tokens");
            }
            StepPlan plan = StepPlan.append(table, all).withAllLogits();
            StepOutput out = reference.transformer().forward(new StepBatch(List.of(plan)), cache);
            double sum = 0;
            for (int j = 0; j < fit; j++) {
                sum += TokenLogprobs.of(out.logits(0, prompt.length - 1 + j), all[prompt.length + j], 0).logprob();
            }
            return sum / fit;
        } finally {
            cache.free(table);
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
