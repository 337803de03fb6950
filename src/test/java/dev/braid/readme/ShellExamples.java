package dev.braid.readme;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands of a Markdown file's {@code ```bash} blocks, one per logical command: a line ending
 * in a backslash, or a quote left open, continues on the next line; comments are dropped.
 */
final class ShellExamples {

    /** A command as a reader would paste it, and the line of the file it starts on (1-based). */
    record Example(int line, String command) {

        /** The command with runs of whitespace outside its quotes' newlines collapsed, for matching. */
        String normalized() {
            return command.replaceAll("[ \\t]+", " ").trim();
        }

        @Override
        public String toString() {
            return "README line " + line + ": " + command;
        }
    }

    private ShellExamples() {
    }

    static List<Example> of(List<String> markdown) {
        List<Example> examples = new ArrayList<>();
        boolean inBash = false;
        StringBuilder command = new StringBuilder();
        Scan scan = new Scan();
        int start = 0;
        for (int i = 0; i < markdown.size(); i++) {
            String line = markdown.get(i);
            if (!inBash) {
                inBash = line.strip().equals("```bash");
                continue;
            }
            if (line.strip().equals("```") && scan.quote == 0) {
                inBash = false;
                continue;
            }
            if (command.isEmpty()) {
                start = i + 1;
            }
            String code = scan.line(line);
            if (scan.quote != 0) {
                command.append(code).append('\n');
                continue;
            }
            String trimmed = code.stripTrailing();
            if (trimmed.endsWith("\\")) {
                command.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            command.append(trimmed);
            if (!command.toString().isBlank()) {
                examples.add(new Example(start, command.toString().strip()));
            }
            command.setLength(0);
        }
        return examples;
    }

    /** Quote state carried across lines; {@link #line} returns the line without its comment. */
    private static final class Scan {
        char quote;

        String line(String line) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote == 0 && c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                    break;
                }
                out.append(c);
                if (c == '\\' && quote != '\'' && i + 1 < line.length()) {
                    out.append(line.charAt(++i)); // an escaped character neither quotes nor comments
                } else if (quote == 0 && (c == '\'' || c == '"')) {
                    quote = c;
                } else if (c == quote) {
                    quote = 0;
                }
            }
            return out.toString();
        }
    }
}
