package dev.braid.training;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import dev.braid.kv.BlockTable;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.StepBatch;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import dev.braid.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Records Jacobi trajectories of a model (ALGORITHMS.md section 1): block by block, from a guess of
 * tokens drawn from the prompt, every Jacobi state until the block stops changing. A state that
 * maps to itself satisfies {@code y_i = argmax p(y_i | x, y_<i)} at every position, so the
 * converged blocks, joined, are exactly the model's greedy answer: the collector never decodes the
 * answer separately.
 *
 * <p>The committed prefix (prompt and converged blocks) lives in a paged K/V cache and each
 * iteration feeds only the block, as the serving engine's Jacobi does; recomputing the whole prefix
 * in training mode at every iteration would cost about eight times more on the CPU.
 */
final class JacobiTrajectories implements AutoCloseable {

    /** One block: its offset in the answer and its states, the initial guess first, the fixed point last. */
    record Block(int start, List<int[]> states) {
        int[] fixedPoint() {
            return states.get(states.size() - 1);
        }
    }

    /** One prompt's trajectory; {@code answer} is the greedy answer, ending with the end token unless capped. */
    record Trajectory(int[] prompt, int[] answer, List<Block> blocks) {
    }

    private static final int CACHE_BLOCK = 16;

    private final Transformer model;
    private final int blockSize;
    private final int maxAnswerTokens;
    private final int endToken;
    private final PagedKvCache cache;

    JacobiTrajectories(Transformer model, int blockSize, int maxAnswerTokens, int endToken, int maxPromptTokens) {
        this.model = model;
        this.blockSize = blockSize;
        this.maxAnswerTokens = maxAnswerTokens;
        this.endToken = endToken;
        int tokens = maxPromptTokens + maxAnswerTokens + blockSize + 1;
        this.cache = new PagedKvCache(model.cacheSpec(CACHE_BLOCK, tokens / CACHE_BLOCK + 2), Device.cpu());
    }

    /** The initial guess of a block: tokens drawn from the prompt, as the reference does. */
    static int[] initialGuess(int[] prompt, int blockSize, Random random) {
        int[] guess = new int[blockSize];
        for (int i = 0; i < blockSize; i++) {
            guess[i] = prompt[random.nextInt(prompt.length)];
        }
        return guess;
    }

    Trajectory collect(int[] prompt, Random random) {
        BlockTable table = cache.newSequence();
        try {
            if (!cache.reserve(table, prompt.length + maxAnswerTokens + blockSize + 1)) {
                throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens does not fit the collector's cache");
            }
            if (prompt.length > 1) {
                step(table, Arrays.copyOf(prompt, prompt.length - 1), null);
            }
            // the last context token stays out of the cache: its logits predict the block's first token
            int pending = prompt[prompt.length - 1];
            int[] answer = new int[0];
            List<Block> blocks = new ArrayList<>();
            while (answer.length < maxAnswerTokens) {
                List<int[]> states = new ArrayList<>();
                int[] guess = initialGuess(prompt, blockSize, random);
                states.add(guess);
                while (true) {
                    int[] input = new int[blockSize];
                    input[0] = pending;
                    System.arraycopy(guess, 0, input, 1, blockSize - 1);
                    int[] next = step(table, input, guess);
                    if (Arrays.equals(next, guess)) {
                        pending = guess[blockSize - 1];
                        break;
                    }
                    states.add(next);
                    guess = next;
                }
                int end = indexOf(guess, endToken);
                int length = Math.min(end >= 0 ? end + 1 : blockSize, maxAnswerTokens - answer.length);
                blocks.add(new Block(answer.length, truncate(states, length)));
                answer = AparExamples.concat(answer, Arrays.copyOf(guess, length));
                if (end >= 0 && end < length) {
                    break;
                }
            }
            return new Trajectory(prompt, answer, blocks);
        } finally {
            cache.free(table);
        }
    }

    /**
     * One forward pass over {@code input} after the cached context; returns the argmax per input.
     * Commits the inputs' K/V rows when the argmax equals {@code commitIf} (the block converged, so
     * the inputs are the fixed point, the rows greedy decoding would keep) or when it is null.
     */
    private int[] step(BlockTable table, int[] input, int[] commitIf) {
        try (NDScope ignored = new NDScope()) {
            StepOutput output = model.forward(new StepBatch(List.of(StepPlan.append(table, input).withAllLogits())), cache);
            int[] argmax = new int[input.length];
            for (int i = 0; i < input.length; i++) {
                argmax[i] = output.argmax(0, i);
            }
            if (commitIf == null || Arrays.equals(argmax, commitIf)) {
                output.commitPrefix(cache, 0, input.length);
            }
            return argmax;
        }
    }

    /**
     * States cut to the block's first {@code length} tokens. Jacobi is causal, so a cut state still
     * maps to the next cut state; states that became equal once cut are kept once.
     */
    private static List<int[]> truncate(List<int[]> states, int length) {
        List<int[]> out = new ArrayList<>();
        for (int[] state : states) {
            int[] cut = Arrays.copyOf(state, length);
            if (out.isEmpty() || !Arrays.equals(out.get(out.size() - 1), cut)) {
                out.add(cut);
            }
        }
        return List.copyOf(out);
    }

    private static int indexOf(int[] tokens, int token) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == token) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        cache.close();
    }
}
