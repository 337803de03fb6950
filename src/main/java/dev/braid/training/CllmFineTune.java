package dev.braid.training;

import ai.djl.Device;
import dev.braid.model.Checkpoint;
import dev.braid.model.LlamaTransformer;
import dev.braid.model.LoadedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * {@code train --recipe cllm}: braid-base fine-tuned into a consistency LLM (ALGORITHMS.md
 * section 1). Collects braid-base's Jacobi trajectories on distinct training prompts of the corpus
 * (blocks of {@link #BLOCK_SIZE}, answers capped at {@link #MAX_ANSWER_TOKENS}), then trains on the
 * consistency sequences and the AR sequences mixed in the same rows ({@link ConsistencyExamples}),
 * the AR term weighted {@link #AR_WEIGHT} times per token. Every tenth prompt is held out, so the
 * held-out loss measures both terms on unseen trajectories. The trajectories are kept in the work
 * folder ({@link TrajectoryCache}) for reruns.
 */
public final class CllmFineTune {

    /**
     * The reference trainer's block size. Serving may use a smaller block: the states of a 16-block
     * train every prefix of it too. Measured on an earlier braid-cllm with bench (8 prompts, 96
     * tokens, c=1): block 8 took 2.2 tokens a step, block 16 took 2.5, but a 16-token step cost more
     * on the CPU, so both ran at about 1.4x AR's tokens/s.
     */
    static final int BLOCK_SIZE = 16;
    /**
     * Long enough for the corpus's longest answers (five-item lists of three-sentence details run to
     * about 200 tokens), and with the prompt within the recipe's 256-token rows.
     */
    static final int MAX_ANSWER_TOKENS = 224;
    /**
     * Intermediate states sampled per block (of about 14). With 296 prompts and 1000 steps, 4 kept
     * the greedy answers to the corpus's held-out questions as close to braid-base's as the previous
     * braid-cllm (2 states, 160 prompts, 300 steps) did, 15 and 16 of 29 identical, while Jacobi's
     * tokens a step there rose from 1.2 to 2.5 (block 8); 8 outweighed the AR term and broke the
     * answers (5 of 29 identical, 43 doubled words where braid-base has none) for no more speed on
     * bench's prompts (2.0 against 2.2 at block 8).
     */
    static final int STATES_PER_BLOCK = 4;
    /**
     * Per-token weight of the AR term against 1 for the consistency term. The reference weighs AR
     * heavily. Measured on 160 prompts: at 1 to 1 braid-cllm lost its answers (garbled titles, no
     * end token); at 10 (100 steps) it kept them but Jacobi saved almost no steps. On 296 prompts with
     * 4 states a block: 3 (1000 steps at 1e-3) took the most tokens a step on out-of-corpus prompts
     * but broke long list answers; 5 at 1e-3 diverged (loss NaN from step 80); 5 at 7e-4 for 1500
     * steps kept the answers (see FineTuneRecipe.CLLM).
     */
    static final float AR_WEIGHT = 5f;
    /** Prompts decoded together in one forward pass: spreads the per-pass overhead on the CPU. */
    static final int LANES = 8;
    static final int MAX_PROMPT_TOKENS = 128;
    private static final int CORPUS_EXAMPLES = 12_000;
    private static final int CORPUS_SEED = 7;

    private CllmFineTune() {
    }

    /** Data statistics for the report. */
    public record DataStats(int prompts, int dropped, int blocks, int states, double meanIterationsPerBlock,
                            int consistencySequences, long answerTokens) {
    }

    public static FineTuner.Report run(FineTuneRecipe recipe, Path baseFolder, Path output, Path work, PrintStream log) {
        long started = System.nanoTime();
        try (LoadedModel model = LoadedModel.load(baseFolder, Device.cpu())) {
            LlamaTransformer transformer = (LlamaTransformer) model.transformer();
            List<int[]> prompts = new ArrayList<>();
            for (String prompt : distinctPrompts(recipe.prompts())) {
                prompts.add(model.tokenizer().encode(ChatFormat.prompt(prompt)));
            }
            Path cacheFile = work.resolve("trajectories.bin");
            String key = cacheKey(recipe, baseFolder);
            List<JacobiTrajectories.Trajectory> trajectories = TrajectoryCache.read(cacheFile, key).orElse(null);
            if (trajectories != null) {
                log.printf("reusing %d trajectories from %s%n", trajectories.size(), cacheFile);
            } else {
                trajectories = collect(transformer, prompts, new Random(recipe.seed()), started, log);
                TrajectoryCache.write(cacheFile, key, trajectories);
            }
            Random random = new Random(recipe.seed() + 1);
            List<SupervisedSequence> train = new ArrayList<>();
            List<SupervisedSequence> heldOut = new ArrayList<>();
            int dropped = 0;
            int blocks = 0;
            int states = 0;
            int consistency = 0;
            long answerTokens = 0;
            for (int i = 0; i < trajectories.size(); i++) {
                JacobiTrajectories.Trajectory trajectory = trajectories.get(i);
                List<SupervisedSequence> sequences = ConsistencyExamples.of(trajectory, STATES_PER_BLOCK, AR_WEIGHT, random);
                if (sequences.isEmpty()) {
                    dropped++;
                    continue;
                }
                (i % 10 == 9 ? heldOut : train).addAll(sequences);
                blocks += trajectory.blocks().size();
                for (JacobiTrajectories.Block block : trajectory.blocks()) {
                    states += block.states().size();
                }
                consistency += sequences.size() - 1;
                answerTokens += trajectory.answer().length;
            }
            DataStats stats = new DataStats(prompts.size(), dropped, blocks, states, (double) (states - blocks) / blocks,
                    consistency, answerTokens);
            double dataSeconds = (System.nanoTime() - started) / 1e9;
            log.printf("trajectories: %s in %.0fs%n", stats, dataSeconds);
            // shuffled before packing so each row mixes AR and consistency sequences of different prompts
            Collections.shuffle(train, random);
            FineTuner.Report report = new FineTuner(recipe, log).train(transformer,
                    SequencePacker.pack(train, recipe.sequenceLength()), SequencePacker.pack(heldOut, recipe.sequenceLength()),
                    baseFolder.toString(), dataSeconds, stats);
            FineTuner.write(baseFolder, output, transformer, report);
            return report;
        }
    }

    private static List<JacobiTrajectories.Trajectory> collect(LlamaTransformer transformer, List<int[]> prompts,
                                                               Random random, long started, PrintStream log) {
        try (JacobiTrajectories collector = new JacobiTrajectories(transformer, BLOCK_SIZE, MAX_ANSWER_TOKENS,
                ChatFormat.END_ID, MAX_PROMPT_TOKENS, LANES)) {
            return collector.collect(prompts, random, done -> {
                if (done % 20 == 0) {
                    log.printf("collected %d/%d trajectories, %.0fs%n", done, prompts.size(), (System.nanoTime() - started) / 1e9);
                }
            });
        }
    }

    /** What the trajectories depend on: the collection settings and the base weights. */
    private static String cacheKey(FineTuneRecipe recipe, Path baseFolder) {
        try {
            Path weights = baseFolder.resolve(Checkpoint.SINGLE_FILE);
            return "prompts=" + recipe.prompts() + " seed=" + recipe.seed() + " block=" + BLOCK_SIZE + " max=" + MAX_ANSWER_TOKENS
                    + " base=" + Files.size(weights) + "@" + Files.getLastModifiedTime(weights).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + baseFolder + ": " + e.getMessage(), e);
        }
    }

    /** The first {@code count} distinct questions of the base model's training split, in corpus order. */
    static List<String> distinctPrompts(int count) {
        Set<String> prompts = new LinkedHashSet<>();
        for (CorpusGenerator.Example example : CorpusGenerator.generate(CORPUS_EXAMPLES, CORPUS_SEED).train()) {
            prompts.add(example.user());
            if (prompts.size() == count) {
                break;
            }
        }
        return List.copyOf(prompts);
    }
}
