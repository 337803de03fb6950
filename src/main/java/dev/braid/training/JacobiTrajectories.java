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
import java.util.function.IntConsumer;

/**
 * Records Jacobi trajectories of a model (ALGORITHMS.md section 1): block by block, from a guess of
 * tokens drawn from the prompt, every Jacobi state until the block stops changing. A state that
 * maps to itself satisfies {@code y_i = argmax p(y_i | x, y_<i)} at every position, so the
 * converged blocks, joined, are exactly the model's greedy answer: the collector never decodes the
 * answer separately.
 *
 * <p>The committed prefix (prompt and converged blocks) lives in a paged K/V cache and each
 * iteration feeds only the block, as the serving engine's Jacobi does; recomputing the whole prefix
 * in training mode at every iteration costs several times more on the CPU. Several prompts run in
 * lock-step in one forward pass ({@code lanes}), which spreads the per-pass overhead.
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
    private final int maxPromptTokens;
    private final int lanes;
    private final PagedKvCache cache;

    JacobiTrajectories(Transformer model, int blockSize, int maxAnswerTokens, int endToken, int maxPromptTokens, int lanes) {
        this.model = model;
        this.blockSize = blockSize;
        this.maxAnswerTokens = maxAnswerTokens;
        this.endToken = endToken;
        this.maxPromptTokens = maxPromptTokens;
        this.lanes = lanes;
        int perLane = (maxPromptTokens + maxAnswerTokens + blockSize + 1) / CACHE_BLOCK + 2;
        this.cache = new PagedKvCache(model.cacheSpec(CACHE_BLOCK, perLane * lanes), Device.cpu());
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
        return collect(List.of(prompt), random, done -> { }).get(0);
    }

    /** The trajectories of {@code prompts}, in order; {@code progress} hears the count finished so far. */
    List<Trajectory> collect(List<int[]> prompts, Random random, IntConsumer progress) {
        Trajectory[] out = new Trajectory[prompts.size()];
        List<Lane> active = new ArrayList<>();
        int next = 0;
        int finished = 0;
        try {
            while (finished < prompts.size()) {
                while (active.size() < lanes && next < prompts.size()) {
                    active.add(start(next, prompts.get(next), random));
                    next++;
                }
                for (Lane lane : iterate(active)) {
                    active.remove(lane);
                    if (lane.advance(random)) {
                        active.add(lane);
                    } else {
                        cache.free(lane.table);
                        out[lane.index] = new Trajectory(lane.prompt, lane.answer, List.copyOf(lane.blocks));
                        progress.accept(++finished);
                    }
                }
            }
        } finally {
            active.forEach(lane -> cache.free(lane.table));
        }
        return Arrays.asList(out);
    }

    private Lane start(int index, int[] prompt, Random random) {
        if (prompt.length > maxPromptTokens) {
            throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens exceeds the collector's "
                    + maxPromptTokens);
        }
        BlockTable table = cache.newSequence();
        if (!cache.reserve(table, prompt.length + maxAnswerTokens + blockSize + 1)) {
            throw new IllegalStateException("the collector's cache is short of blocks");
        }
        if (prompt.length > 1) {
            try (NDScope ignored = new NDScope()) {
                StepOutput output = model.forward(new StepBatch(List.of(
                        StepPlan.append(table, Arrays.copyOf(prompt, prompt.length - 1)))), cache);
                output.commitPrefix(0, prompt.length - 1);
                output.flush();
            }
        }
        Lane lane = new Lane(index, prompt, table);
        lane.newBlock(random);
        return lane;
    }

    /** One Jacobi step of every lane in one pass; returns the lanes whose block converged. */
    private List<Lane> iterate(List<Lane> active) {
        List<StepPlan> plans = new ArrayList<>();
        for (Lane lane : active) {
            int[] input = new int[blockSize];
            input[0] = lane.pending;
            System.arraycopy(lane.guess, 0, input, 1, blockSize - 1);
            plans.add(StepPlan.append(lane.table, input).withAllLogits());
        }
        List<Lane> converged = new ArrayList<>();
        try (NDScope ignored = new NDScope()) {
            StepOutput output = model.forward(new StepBatch(plans), cache);
            for (int p = 0; p < active.size(); p++) {
                Lane lane = active.get(p);
                int[] argmax = new int[blockSize];
                for (int i = 0; i < blockSize; i++) {
                    argmax[i] = output.argmax(p, i);
                }
                if (Arrays.equals(argmax, lane.guess)) {
                    // the inputs were the fixed point: their K/V rows are the ones greedy decoding keeps
                    output.commitPrefix(p, blockSize);
                    converged.add(lane);
                } else {
                    lane.states.add(argmax);
                    lane.guess = argmax;
                }
            }
            output.flush();
        }
        return converged;
    }

    /** One prompt in flight. */
    private final class Lane {
        final int index;
        final int[] prompt;
        final BlockTable table;
        final List<Block> blocks = new ArrayList<>();
        int[] answer = new int[0];
        /** The last context token stays out of the cache: its logits predict the block's first token. */
        int pending;
        int[] guess;
        List<int[]> states;

        Lane(int index, int[] prompt, BlockTable table) {
            this.index = index;
            this.prompt = prompt;
            this.table = table;
            this.pending = prompt[prompt.length - 1];
        }

        void newBlock(Random random) {
            guess = initialGuess(prompt, blockSize, random);
            states = new ArrayList<>();
            states.add(guess);
        }

        /** Records the converged block; returns whether the answer goes on with another block. */
        boolean advance(Random random) {
            pending = guess[blockSize - 1];
            int end = indexOf(guess, endToken);
            int length = Math.min(end >= 0 ? end + 1 : blockSize, maxAnswerTokens - answer.length);
            blocks.add(new Block(answer.length, truncate(states, length)));
            answer = AparExamples.concat(answer, Arrays.copyOf(guess, length));
            if ((end >= 0 && end < length) || answer.length >= maxAnswerTokens) {
                return false;
            }
            newBlock(random);
            return true;
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
