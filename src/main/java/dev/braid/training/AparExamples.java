package dev.braid.training;

import dev.braid.model.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenised APAR training sequences of one question: the main branch (prompt, then the main text
 * and the end token, loss on the answer) and one sequence per child (prompt, the main branch up to
 * and including that item's {@code [Fork]}, then {@code [Child]}, then the detail and the end
 * token). A child's loss starts after {@code [Child]}: the system injects that token, the model
 * never predicts it. The child's path is cut from the main branch's own tokens, so it is exactly
 * the context the forked sequence has at inference.
 */
final class AparExamples {

    private AparExamples() {
    }

    static List<SupervisedSequence> sequences(String user, AparTree tree, TextTokenizer tokenizer) {
        int fork = single(tokenizer, ChatFormat.FORK);
        int child = single(tokenizer, ChatFormat.CHILD);
        int[] prompt = tokenizer.encode(ChatFormat.prompt(user));
        int[] main = concat(prompt, tokenizer.encode(tree.main() + ChatFormat.END, false));
        List<SupervisedSequence> out = new ArrayList<>();
        out.add(SupervisedSequence.shifted(main, prompt.length, 1f));
        int item = 0;
        for (int i = prompt.length; i < main.length && item < tree.details().size(); i++) {
            if (main[i] != fork) {
                continue;
            }
            int[] path = Arrays.copyOf(main, i + 2);
            path[i + 1] = child;
            int[] detail = tokenizer.encode(tree.details().get(item++) + ChatFormat.END, false);
            out.add(SupervisedSequence.shifted(concat(path, detail), path.length, 1f));
        }
        if (item != tree.details().size()) {
            throw new IllegalStateException("the main text holds " + item + " [Fork] tokens for " + tree.details().size() + " details");
        }
        return out;
    }

    private static int single(TextTokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text, false);
        if (ids.length != 1) {
            throw new IllegalArgumentException("the tokenizer has no single token for " + text);
        }
        return ids[0];
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
