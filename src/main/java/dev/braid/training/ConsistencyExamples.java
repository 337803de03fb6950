package dev.braid.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * CLLM training sequences from Jacobi trajectories (ALGORITHMS.md section 1).
 *
 * <p>The consistency sequence of a block reads the prompt, the answer before the block and one
 * intermediate Jacobi state, and is scored at the block positions against the fixed point, so the
 * model learns to jump from any state on the trajectory to the fixed point. Labels are hard: the
 * fixed-point tokens, the argmax of the reference's soft target (the frozen model's logits on the
 * fixed point), which is what Jacobi decoding compares anyway. As in the reference, the leading
 * run of positions the state already has right carries no loss: those predictions see a correct
 * prefix, which the AR term already trains. The first wrong position and everything after it do.
 * That includes targets equal to the token fed at their position (the fixed point guessed a place
 * early), though they teach "say the last token again", the source of the occasional doubled word
 * in braid-cllm's answers outside the corpus: masking them (measured, 296 prompts, 1000 steps)
 * halved the doubled words but dropped Jacobi from 3.1 to 1.3 tokens a step on bench's first two
 * prompts, since those shifted states are where most of the fast-forwarding is learned.
 *
 * <p>The AR sequence is the prompt and the greedy answer with ordinary next-token loss; it keeps
 * the model's answers, and with them Jacobi's output, what the base model wrote.
 */
final class ConsistencyExamples {

    /** An answer with this many equal tokens in a row is a collapse, not text; the reference drops such samples. */
    static final int MAX_RUN = 8;

    private ConsistencyExamples() {
    }

    /** The consistency sequence of {@code state} of {@code block}. */
    static SupervisedSequence consistency(JacobiTrajectories.Trajectory trajectory, JacobiTrajectories.Block block,
                                          int[] state, float weight) {
        int[] prompt = trajectory.prompt();
        int[] answer = trajectory.answer();
        int context = prompt.length + block.start();
        int length = context + state.length - 1;
        int[] inputs = new int[length];
        int[] targets = new int[length];
        float[] weights = new float[length];
        System.arraycopy(prompt, 0, inputs, 0, prompt.length);
        System.arraycopy(answer, 0, inputs, prompt.length, block.start());
        System.arraycopy(state, 0, inputs, context, state.length - 1);
        // the context is the converged text: its targets are its own next tokens, left without loss
        for (int i = 0; i < context - 1; i++) {
            targets[i] = inputs[i + 1];
        }
        boolean prefixRight = true;
        for (int j = 0; j < state.length; j++) {
            int fixed = answer[block.start() + j];
            prefixRight &= state[j] == fixed;
            targets[context - 1 + j] = fixed;
            weights[context - 1 + j] = prefixRight ? 0 : weight;
        }
        return new SupervisedSequence(inputs, targets, weights);
    }

    /**
     * The sequences of one trajectory: its AR sequence (weight {@code arWeight}) and, for every
     * block that did not start at its fixed point, up to {@code statesPerBlock} distinct random
     * intermediate states. Empty for a collapsed answer.
     */
    static List<SupervisedSequence> of(JacobiTrajectories.Trajectory trajectory, int statesPerBlock, float arWeight,
                                       Random random) {
        if (longestRun(trajectory.answer()) >= MAX_RUN) {
            return List.of();
        }
        List<SupervisedSequence> out = new ArrayList<>();
        out.add(SupervisedSequence.shifted(AparExamples.concat(trajectory.prompt(), trajectory.answer()),
                trajectory.prompt().length, arWeight));
        for (JacobiTrajectories.Block block : trajectory.blocks()) {
            List<Integer> intermediate = new ArrayList<>();
            for (int i = 0; i < block.states().size() - 1; i++) {
                intermediate.add(i);
            }
            java.util.Collections.shuffle(intermediate, random);
            for (int i : intermediate.subList(0, Math.min(statesPerBlock, intermediate.size()))) {
                out.add(consistency(trajectory, block, block.states().get(i), 1f));
            }
        }
        return out;
    }

    static int longestRun(int[] tokens) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < tokens.length; i++) {
            run = i > 0 && tokens[i] == tokens[i - 1] ? run + 1 : 1;
            longest = Math.max(longest, run);
        }
        return longest;
    }
}
