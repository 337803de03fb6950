package dev.braid.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AparTreeTest {

    private static final String ANSWER = "Here are 3 ways to sleep better:"
            + "\n1. Keep a schedule: Go to bed at the same time. Wake at the same time."
            + "\n2. Dim the lights: Bright light: it delays sleep."
            + "\n3. Skip late coffee: Caffeine lasts for hours.";

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = TextTokenizer.load(Path.of("models/braid-base"));
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @Test
    void aListAnswerBecomesAMainTextWithForksAndOneDetailPerItem() {
        AparTree tree = AparTree.of(ANSWER).orElseThrow();
        assertThat(tree.main()).isEqualTo("Here are 3 ways to sleep better:"
                + "\n1. Keep a schedule:[Fork]\n2. Dim the lights:[Fork]\n3. Skip late coffee:[Fork]");
        // a colon inside the detail stays in the detail: only the first one ends the title
        assertThat(tree.details()).containsExactly("Go to bed at the same time. Wake at the same time.",
                "Bright light: it delays sleep.", "Caffeine lasts for hours.");
    }

    @Test
    void answersThatAreNotListsOfThreeTitledItemsStayWhole() {
        assertThat(AparTree.of("Intro:\n1. A: x\n2. B: y")).as("two items").isEmpty();
        assertThat(AparTree.of("Steps:\n1. Do this.\n2. Do that.\n3. Check it.")).as("no titles").isEmpty();
        assertThat(AparTree.of("Intro:\n1. A: x\n3. B: y\n2. C: z")).as("out of order").isEmpty();
        assertThat(AparTree.of("Intro:\n1. A: x\n2. B: y\n3. C: z\nIn short, do all three.")).as("trailing prose").isEmpty();
        assertThat(AparTree.of("Plain prose answer.")).isEmpty();
    }

    @Test
    void mainAndChildSequencesCarryLossOnlyWhereTheModelWrites() {
        String user = "List 3 ways to sleep better.";
        AparTree tree = AparTree.of(ANSWER).orElseThrow();
        List<SupervisedSequence> sequences = AparExamples.sequences(user, tree, tokenizer);
        assertThat(sequences).hasSize(4);

        int[] prompt = tokenizer.encode(ChatFormat.prompt(user));
        int[] mainAnswer = tokenizer.encode(tree.main() + ChatFormat.END, false);
        SupervisedSequence main = sequences.get(0);
        assertThat(tokens(main)).containsExactly(AparExamples.concat(prompt, mainAnswer));
        assertThat(lossTargets(main)).containsExactly(mainAnswer);

        int fork = tokenizer.encode(ChatFormat.FORK, false)[0];
        int child = tokenizer.encode(ChatFormat.CHILD, false)[0];
        int[] mainTokens = tokens(main);
        int forkIndex = -1;
        for (int k = 0; k < 3; k++) {
            forkIndex = next(mainTokens, fork, forkIndex + 1);
            SupervisedSequence seq = sequences.get(k + 1);
            int[] path = Arrays.copyOf(mainTokens, forkIndex + 1);
            int[] detail = tokenizer.encode(tree.details().get(k) + ChatFormat.END, false);
            int[] expected = AparExamples.concat(AparExamples.concat(path, new int[] {child}), detail);
            assertThat(tokens(seq)).as("child %d tokens", k).containsExactly(expected);
            // no loss on the path or on [Child] (injected by the system), loss on every detail token and the end
            assertThat(lossTargets(seq)).as("child %d loss targets", k).containsExactly(detail);
            assertThat(seq.weights()[path.length - 1]).as("weight of the [Child] target").isZero();
            assertThat(tokenizer.decode(detail)).isEqualTo(tree.details().get(k));
        }
        assertThat(next(mainTokens, fork, forkIndex + 1)).as("exactly three forks").isEqualTo(-1);
    }

    /** The sequence's tokens: its inputs and the last target. */
    private static int[] tokens(SupervisedSequence s) {
        int[] out = Arrays.copyOf(s.inputs(), s.length() + 1);
        out[s.length()] = s.targets()[s.length() - 1];
        return out;
    }

    private static int[] lossTargets(SupervisedSequence s) {
        return java.util.stream.IntStream.range(0, s.length()).filter(i -> s.weights()[i] > 0).map(i -> s.targets()[i]).toArray();
    }

    private static int next(int[] tokens, int token, int from) {
        for (int i = from; i < tokens.length; i++) {
            if (tokens[i] == token) {
                return i;
            }
        }
        return -1;
    }
}
