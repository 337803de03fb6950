package dev.braid.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A list answer turned into APAR's paragraph tree (ALGORITHMS.md section 3, "Training data"): the
 * main text keeps the introduction and each numbered item's title, with {@code [Fork]} where the
 * item's details stood; each detail becomes a child branch. At inference the system forks at every
 * {@code [Fork]}, so the children are written in parallel and reassembled with a space before
 * each detail: the tree read back in order is the answer it was made from.
 *
 * @param main    the answer the root branch writes, ending with its last {@code [Fork]} (no end token)
 * @param details the child texts in item order (no end token)
 */
record AparTree(String main, List<String> details) {

    /** The reference forks only lists of at least three items; fewer gain too little parallelism. */
    static final int MIN_ITEMS = 3;

    private static final Pattern ITEM = Pattern.compile("(\\d+)\\. ([^:\\n]+): (.+)");

    /**
     * The tree of an answer made of an introduction line and numbered "N. Title: details" lines, or
     * empty when the answer is not such a list (every line after the first must be an item).
     */
    static Optional<AparTree> of(String answer) {
        String[] lines = answer.split("\n", -1);
        if (lines.length - 1 < MIN_ITEMS) {
            return Optional.empty();
        }
        StringBuilder main = new StringBuilder(lines[0]);
        List<String> details = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            Matcher item = ITEM.matcher(lines[i]);
            if (!item.matches() || Integer.parseInt(item.group(1)) != i) {
                return Optional.empty();
            }
            main.append('\n').append(item.group(1)).append(". ").append(item.group(2)).append(':').append(ChatFormat.FORK);
            details.add(item.group(3));
        }
        return Optional.of(new AparTree(main.toString(), List.copyOf(details)));
    }
}
