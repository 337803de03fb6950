package dev.braid.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A command's options and what it does. The parser reads its options from here ({@link Options#parse}),
 * and {@code --help} prints {@link #help()}, so an option cannot be accepted without being listed or
 * listed without being accepted.
 *
 * @param command  the words after {@code java -jar braid.jar}, e.g. {@code bench --url URL}
 */
record Usage(String command, String summary, List<Option> options) {

    static final String JAR = "java -jar braid.jar";
    /** What goes before a synopsis: {@code usage: } or, on the lines after the first, as many spaces. */
    static final String INDENT = "       ";
    private static final int WIDTH = 100;

    Usage {
        options = List.copyOf(options);
        Set<String> names = new HashSet<>();
        for (Option option : options) {
            if (!names.add(option.name())) {
                throw new IllegalArgumentException(command + " defines --" + option.name() + " twice");
            }
        }
    }

    /** This usage with more options after its own, e.g. the engine's shared ones. */
    Usage with(List<Option> more) {
        List<Option> all = new ArrayList<>(options);
        all.addAll(more);
        return new Usage(command, summary, all);
    }

    Option option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * {@code java -jar braid.jar generate --model DIR|NAME [--prompt TEXT] ...}, wrapped under the
     * command's first option, for a line that starts {@link #INDENT} further right.
     */
    String synopsis() {
        List<String> words = new ArrayList<>();
        words.add(JAR + " " + command);
        for (Option option : options) {
            words.add(option.required() ? option.spelled() : "[" + option.spelled() + "]");
        }
        return wrap(words, INDENT.length(), INDENT.length() + JAR.length() + command.length() + 2);
    }

    /** What {@code COMMAND --help} prints: the synopsis, the summary and every option with its help. */
    String help() {
        StringBuilder text = new StringBuilder("usage: ").append(synopsis()).append("\n\n")
                .append(wrap(List.of(summary.split("\\s+")), 0, 0)).append("\n\n");
        int width = options.stream().mapToInt(o -> o.spelled().length()).max().orElse(0);
        for (Option option : options) {
            String head = "  " + option.spelled() + " ".repeat(width - option.spelled().length() + 2);
            List<String> words = new ArrayList<>(List.of(option.describe().split(" ")));
            words.set(0, head + words.get(0));
            text.append(wrap(words, 0, head.length())).append('\n');
        }
        return text.toString();
    }

    /** The words as lines of at most {@link #WIDTH} columns, the first starting at {@code start}. */
    private static String wrap(List<String> words, int start, int indent) {
        StringBuilder text = new StringBuilder();
        int column = start;
        boolean lineEmpty = true;
        for (String word : words) {
            if (!lineEmpty && column + 1 + word.length() > WIDTH) {
                text.append('\n').append(" ".repeat(indent));
                column = indent;
                lineEmpty = true;
            }
            if (!lineEmpty) {
                text.append(' ');
                column++;
            }
            text.append(word);
            column += word.length();
            lineEmpty = false;
        }
        return text.toString();
    }
}
