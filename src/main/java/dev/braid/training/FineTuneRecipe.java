package dev.braid.training;

import java.util.List;
import java.util.Locale;

/**
 * A run that starts from a trained model (braid-base) instead of random weights: the optimiser
 * settings and the size of the data it builds. The architecture and tokenizer are the base
 * model's. The rates are a few times below the base run's peak, since the weights are already good
 * and the new behaviour must not erase the old.
 *
 * @param prompts for cllm, how many training prompts get Jacobi trajectories (the collection is the
 *                costly part); for apar, how many list answers become trees
 */
public record FineTuneRecipe(String name, int sequenceLength, int batchRows, int steps, double learningRate,
                             int warmupSteps, double weightDecay, double gradientClip, int evalEvery, int prompts,
                             long seed) {

    public FineTuneRecipe {
        if (sequenceLength <= 0 || batchRows <= 0 || steps <= 0 || evalEvery <= 0 || prompts <= 0) {
            throw new IllegalArgumentException("sequence length, batch rows, steps, eval_every and prompts must be positive");
        }
        if (warmupSteps < 0 || warmupSteps >= steps) {
            throw new IllegalArgumentException("warmup_steps must be in [0, steps), got " + warmupSteps);
        }
    }

    /**
     * braid-cllm: braid-base taught to jump along its own Jacobi trajectories. 296 prompts are every
     * distinct question of the corpus (the generator has no more). Measured with bench (c=1, block 8,
     * answers to their end, scored by braid-base's mean log-likelihood per token; AR's own answers
     * score -0.060 on list and 0.000 on multi-part questions): 1000 steps at 1e-3 with the AR term 3×
     * and answers capped at 96 tokens took 3.5 / 2.3 tokens a step on list / multi-part questions but
     * scored -1.20 / -0.036, its five-item lists falling apart after the fourth item; 1500 steps at
     * 7e-4 (warm-up 30) with the AR term 5× scored -0.61 / 0.000 at 3.4 / 2.6 tokens a step; the same
     * with answers up to 160 tokens, so whole list answers are trained, scored -0.060 / 0.000 at 4.0 /
     * 2.5 tokens a step. On questions outside the corpus every variant scored -3.3 to -4.2 (AR -0.12).
     * The corpus then grew three-sentence list details (answers up to 224 tokens, 5,416 rows instead
     * of 2,003): 1500 steps ended at held-out 1.20 with garbled multi-part answers (-5.5); 3500 steps
     * end at 0.28 and score -0.30 / -0.12 (braid-base's own: -0.03 / -0.002) at 4.2 / 2.5 tokens a step.
     * CPU training is not bit-exact from run to run: a rerun collects the same data and ends close.
     */
    public static final FineTuneRecipe CLLM = new FineTuneRecipe("braid-cllm", 256, 4, 3500, 7e-4, 30, 0.0, 1.0, 100,
            296, 11);

    /**
     * braid-apar: braid-base taught to fork list items into parallel branches. Its main sequence
     * holds the titles only, so it must learn which item follows a title without the detail braid-base
     * saw between them: after 200 steps (held-out 0.035) greedy answers still gave an item twice in 2
     * of {@code BundledListAnswersTest}'s 20 questions and repeated a whole list in a third; after 600
     * (held-out 0.032), none.
     */
    public static final FineTuneRecipe APAR = new FineTuneRecipe("braid-apar", 256, 4, 600, 1e-3, 10, 0.0, 1.0, 50,
            240, 13);

    /** The names {@link #named} knows, as {@code train --recipe} takes them. */
    public static final List<String> NAMES = List.of("cllm", "apar");

    public static boolean isFineTune(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    public static FineTuneRecipe named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cllm" -> CLLM;
            case "apar" -> APAR;
            default -> throw new IllegalArgumentException("unknown fine-tune recipe '" + name + "' (known: "
                    + String.join(", ", NAMES) + ")");
        };
    }

    public FineTuneRecipe withSteps(int newSteps) {
        return new FineTuneRecipe(name, sequenceLength, batchRows, newSteps, learningRate,
                Math.min(warmupSteps, newSteps - 1), weightDecay, gradientClip, evalEvery, prompts, seed);
    }

    public FineTuneRecipe withPrompts(int newPrompts) {
        return new FineTuneRecipe(name, sequenceLength, batchRows, steps, learningRate, warmupSteps, weightDecay,
                gradientClip, evalEvery, newPrompts, seed);
    }
}
