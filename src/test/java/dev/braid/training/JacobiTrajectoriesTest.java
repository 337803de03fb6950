package dev.braid.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.braid.model.LlamaTransformer;
import dev.braid.model.LoadedModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JacobiTrajectoriesTest {

    private static final int BLOCK = 4;
    private static final int MAX_ANSWER = 10;

    @Test
    void everyBlockRunsFromTheInitialGuessByJacobiStepsToTheGreedyAnswer() {
        // the smallest bundled model: real weights, so blocks take several steps, and a fast forward pass
        try (LoadedModel model = LoadedModel.load(Path.of("models/braid-draft"), Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            LlamaTransformer transformer = (LlamaTransformer) model.transformer();
            int[] prompt = model.tokenizer().encode(ChatFormat.prompt("List 3 ways to sleep better."));
            // no end token, so the answer runs to the cap: blocks of 4 + 4 + 2 tokens
            JacobiTrajectories.Trajectory trajectory;
            try (JacobiTrajectories collector = new JacobiTrajectories(transformer, BLOCK, MAX_ANSWER, -1, 64, 2)) {
                trajectory = collector.collect(prompt, new Random(5));
                // lanes decoded together in one pass reach the same fixed points as one at a time
                int[] other = model.tokenizer().encode(ChatFormat.prompt("What is caching?"));
                List<JacobiTrajectories.Trajectory> both = collector.collect(List.of(other, prompt), new Random(9), done -> { });
                assertThat(both.get(1).answer()).containsExactly(trajectory.answer());
                assertThat(both.get(0).answer()).containsExactly(collector.collect(other, new Random(1)).answer());
            }
            int[] greedy = greedy(transformer, manager, prompt, MAX_ANSWER);
            assertThat(trajectory.answer()).as("converged blocks = greedy answer, decoded independently").containsExactly(greedy);
            assertThat(trajectory.blocks()).extracting(JacobiTrajectories.Block::start).containsExactly(0, 4, 8);

            int[] firstGuess = JacobiTrajectories.initialGuess(prompt, BLOCK, new Random(5));
            assertThat(trajectory.blocks().get(0).states().get(0)).containsExactly(firstGuess);
            for (int t : firstGuess) {
                assertThat(prompt).contains(t);
            }
            for (JacobiTrajectories.Block block : trajectory.blocks()) {
                int length = block.fixedPoint().length;
                assertThat(block.fixedPoint()).containsExactly(Arrays.copyOfRange(greedy, block.start(), block.start() + length));
                assertThat(block.states().size()).as("Jacobi fixes at least one token per step").isLessThanOrEqualTo(length + 1);
                int[] context = AparExamples.concat(prompt, Arrays.copyOf(greedy, block.start()));
                for (int k = 0; k + 1 < block.states().size(); k++) {
                    assertThat(jacobiStep(transformer, manager, context, block.states().get(k)))
                            .as("state %d of block %d maps to the next one", k, block.start())
                            .containsExactly(block.states().get(k + 1));
                }
                assertThat(jacobiStep(transformer, manager, context, block.fixedPoint())).containsExactly(block.fixedPoint());
            }
        }
    }

    /** One Jacobi step in training mode over the whole sequence: the argmax at the block's positions. */
    private static int[] jacobiStep(LlamaTransformer model, NDManager manager, int[] context, int[] guess) {
        int[] input = AparExamples.concat(context, Arrays.copyOf(guess, guess.length - 1));
        int[] argmax = argmaxAll(model, manager, input);
        return Arrays.copyOfRange(argmax, context.length - 1, context.length - 1 + guess.length);
    }

    private static int[] greedy(LlamaTransformer model, NDManager manager, int[] prompt, int count) {
        int[] tokens = prompt;
        for (int i = 0; i < count; i++) {
            int[] argmax = argmaxAll(model, manager, tokens);
            tokens = AparExamples.concat(tokens, new int[] {argmax[tokens.length - 1]});
        }
        return Arrays.copyOfRange(tokens, prompt.length, tokens.length);
    }

    private static int[] argmaxAll(LlamaTransformer model, NDManager manager, int[] input) {
        int n = input.length;
        long[] tokens = new long[n];
        long[] positions = new long[n];
        float[] bias = new float[n * n];
        for (int q = 0; q < n; q++) {
            tokens[q] = input[q];
            positions[q] = q;
            for (int k = q + 1; k < n; k++) {
                bias[q * n + k] = PackedDataset.MASKED;
            }
        }
        try (NDManager sub = manager.newSubManager()) {
            NDArray logits = model.forwardTraining(sub.create(tokens, new Shape(1, n)), sub.create(positions, new Shape(1, n)),
                    sub.create(bias, new Shape(1, n, n)));
            return Arrays.stream(logits.argMax(-1).toLongArray()).mapToInt(Math::toIntExact).toArray();
        }
    }
}
